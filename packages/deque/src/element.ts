/**
 * An element of a deque as stored in the anchor's buffers and in chunks.
 *
 *   [0, value]  the value itself (inline; small values)
 *   [1, key]    the value lives in its own item under `key` (large values),
 *               written before the element is published and deleted after it
 *               is popped — so a large value is never copied by a move.
 *
 * The tag keeps a user value that happens to look like a key from ever being
 * mistaken for one.
 */
export type Element = readonly [0, unknown] | readonly [1, string];

export const INLINE = 0;
export const EXTERNAL = 1;

export function inlineElement(value: unknown): Element {
  return [INLINE, value];
}

export function externalElement(key: string): Element {
  return [EXTERNAL, key];
}

export function isExternal(element: Element): element is readonly [1, string] {
  return element[0] === EXTERNAL;
}

/** True if `value` has the shape of an element (used when validating records read from the server). */
export function isElement(value: unknown): value is Element {
  if (!Array.isArray(value) || value.length !== 2) return false;
  return value[0] === INLINE || (value[0] === EXTERNAL && typeof value[1] === 'string');
}
