/**
 * The key scheme of a deque named NAME:
 *
 *   mcc:dq:NAME          the anchor
 *   mcc:dq:NAME:c:SLOT   chunk at integer SLOT (may be negative)
 *   mcc:dq:NAME:v:ID     a large value stored on its own
 *
 * With `colocate`, NAME is written `{NAME}`: a hash tag, so every key of the
 * deque lands on one server (faster batches, but bounded by that server's
 * memory). Without it, chunks and values spread over all servers.
 */
import { InvalidArgumentError } from '@mcc/mcas';

/** Names are short and safe in every client's keys. */
const NAME_PATTERN = /^[A-Za-z0-9._\-/]{1,200}$/;

export interface DequeKeys {
  readonly anchor: string;
  chunk(slot: number): string;
  value(id: string): string;
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
  };
}
