/**
 * An element of a deque as stored in the anchor's buffers and in chunks.
 *
 *   [0, bytes]  the value, already encoded by the store's codec (inline; small values)
 *   [1, key]    the value lives in its own item under `key` (large values),
 *               written before the element is published and deleted after it
 *               is popped — so a large value is never copied by a move.
 *
 * Inline values stay encoded inside the anchor: re-encoding the anchor on
 * every CAS then copies bytes instead of walking every value's object graph,
 * and only the popped value is ever decoded. The tag keeps a value that
 * happens to look like a key from ever being mistaken for one.
 */
import { isValueKey } from './keys';

export type Element = readonly [0, Uint8Array] | readonly [1, string];

export const INLINE = 0;
export const EXTERNAL = 1;

export function inlineElement(encoded: Uint8Array): Element {
  return [INLINE, encoded];
}

export function externalElement(key: string): Element {
  return [EXTERNAL, key];
}

export function isExternal(element: Element): element is readonly [1, string] {
  return element[0] === EXTERNAL;
}

/**
 * True if `value` has the shape of an element (used when validating records
 * read from the server); an external element must name a deque value key.
 */
export function isElement(value: unknown): value is Element {
  if (!Array.isArray(value) || value.length !== 2) return false;
  return (value[0] === INLINE && value[1] instanceof Uint8Array) || (value[0] === EXTERNAL && typeof value[1] === 'string' && isValueKey(value[1]));
}

/**
 * Encoded size of an element: a 2-element array header, the tag, and a bin
 * (header up to 5 bytes) or a string (header up to 5 bytes; keys are ASCII).
 */
export function elementSize(element: Element): number {
  return 2 + 5 + (isExternal(element) ? element[1].length : element[1].length);
}
