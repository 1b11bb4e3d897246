/**
 * The key scheme of a deque named NAME:
 *
 *   mcc:dq:NAME          the anchor
 *   mcc:dq:NAME:c:SLOT   chunk at integer SLOT (may be negative)
 *   mcc:dq:NAME:v:ID     a large value stored on its own
 *   mcc:dq:NAME:q:ID     an announcement log (combining; ID fresh per log generation)
 *
 * ID is 1-64 characters of base64url (`A-Z a-z 0-9 - _`); mcc writes 16.
 *
 * With `colocate`, NAME is written `{NAME}`: a hash tag, so every key of the
 * deque lands on one server (faster batches, but bounded by that server's
 * memory). Without it, chunks and values spread over all servers.
 */
import { InvalidArgumentError } from '@mcc/mcas';

/** Names are short and safe in every client's keys. */
const NAME_PATTERN = /^[A-Za-z0-9._\-/]{1,200}$/;

/**
 * A large-value key of any deque (`mcc:dq:NAME:v:ID` or `mcc:dq:{NAME}:v:ID`):
 * the only keys an element may name. After a move an element names a value
 * key of the deque it came from, so the check is the deque key space, not
 * this deque's prefix; anything else (a user key, an anchor, an MCAS record)
 * in an element is corruption — never read, returned or deleted.
 */
const VALUE_KEY_PATTERN = /^mcc:dq:(?:[A-Za-z0-9._\-/]{1,200}|\{[A-Za-z0-9._\-/]{1,200}\}):v:[A-Za-z0-9_-]{1,64}$/;

export function isValueKey(key: string): boolean {
  return VALUE_KEY_PATTERN.test(key);
}

export interface DequeKeys {
  readonly anchor: string;
  chunk(slot: number): string;
  value(id: string): string;
  /** The announcement log with id `id` (anchor field `q`). */
  log(id: string): string;
}

export function validateDequeName(name: unknown): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError(`a deque name must be 1-200 characters of A-Z a-z 0-9 . _ - /, got ${JSON.stringify(name)}`);
  }
  return name;
}

export function dequeKeys(name: string, colocate: boolean): DequeKeys {
  const prefix = colocate ? `mcc:dq:{${name}}` : `mcc:dq:${name}`;
  return {
    anchor: prefix,
    chunk: (slot) => `${prefix}:c:${slot}`,
    value: (id) => `${prefix}:v:${id}`,
    log: (id) => `${prefix}:q:${id}`,
  };
}
