/**
 * The 32-bit memcached item flags of an mcc value (docs/FORMAT.md §2):
 *
 * ```
 *   31            16 15       8 7        0
 *  ┌────────────────┬──────────┬──────────┐
 *  │ 0x4D43  ("MC") │ kind  KK │ codec CC │
 *  └────────────────┴──────────┴──────────┘
 * ```
 *
 * Flags exactly 0 are "untagged": bytes written by another client (memjs,
 * pymemcache with bytes); only the raw codec reads them. Anything else
 * without the marker is foreign and never decoded.
 */
import { InvalidArgumentError } from '@mcc/protocol';

/** The top 16 bits of every mcc flags value: ASCII "MC". */
export const FLAGS_MARKER = 0x4d43;

/**
 * Record kinds (bits 8-15). 0 is a user value; 1-4 are written by the layers
 * above and defined in docs/FORMAT.md by @mcc/mcas and @mcc/deque; 5-255 are
 * reserved.
 */
export const RecordKind = Object.freeze({
  Value: 0,
  McasDescriptor: 1,
  McasReference: 2,
  DequeAnchor: 3,
  DequeNode: 4,
} as const);

/** What a flags value says about an item. */
export type ParsedFlags =
  | { readonly type: 'mcc'; readonly kind: number; readonly codecId: number }
  | { readonly type: 'untagged' }
  | { readonly type: 'foreign' };

/** Flags of an mcc value of record `kind` written by codec `codecId`. */
export function mccFlags(kind: number, codecId: number): number {
  return ((FLAGS_MARKER << 16) | (checkByte('kind', kind) << 8) | checkByte('codec id', codecId)) >>> 0;
}

export function parseFlags(flags: number): ParsedFlags {
  if (flags === 0) return { type: 'untagged' };
  if (flags >>> 16 !== FLAGS_MARKER) return { type: 'foreign' };
  return { type: 'mcc', kind: (flags >>> 8) & 0xff, codecId: flags & 0xff };
}

/** @throws InvalidArgumentError unless `value` is an integer 0-255 */
export function checkByte(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new InvalidArgumentError(`${name} must be an integer from 0 to 255, got ${String(value)}`);
  }
  return value;
}
