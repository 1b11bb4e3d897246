/**
 * `describeLocation`: what an entry read with a plain `store.get` is, in MCAS
 * terms — for tools (the CLI, a repair script) and for tests. Pure: it does
 * not read the descriptor or help anyone.
 */
import type { Entry } from '@mcc/codec';
import { parseDescriptor } from './descriptor';
import { isDescriptorKey, parseSplitValueKey } from './keys';
import { DESCRIPTOR_KIND, REFERENCE_KIND } from './kinds';
import { RecordError } from './record-error';
import { parseReference } from './reference';
import type { McasStatus } from './status';

export type LocationDescription =
  /** An ordinary value (kind 0 user value, or a record of a layer above, e.g. a deque's). */
  | { readonly type: 'value'; readonly kind: number }
  /** A location acquired by an MCAS in flight: read it with `mcasGet` to see its logical value. */
  | { readonly type: 'reference'; readonly descriptorKey: string; readonly oldValue: unknown; readonly oldKind: number }
  /** An MCAS descriptor. */
  | { readonly type: 'descriptor'; readonly status: McasStatus; readonly keys: readonly string[] }
  /** A new value split out of descriptor `descriptorKey` for its item `index`. */
  | { readonly type: 'split-value'; readonly descriptorKey: string; readonly index: number }
  /** An MCAS record that does not have the documented shape. */
  | { readonly type: 'invalid'; readonly reason: string };

/** Describes `entry` (as returned by `store.get`). */
export function describeLocation(entry: Pick<Entry, 'key' | 'value' | 'kind'>): LocationDescription {
  try {
    if (entry.kind === REFERENCE_KIND) {
      const reference = parseReference(entry.value);
      return { type: 'reference', descriptorKey: reference.descriptorKey, oldValue: reference.oldValue, oldKind: reference.oldKind };
    }
    if (entry.kind === DESCRIPTOR_KIND) {
      const split = parseSplitValueKey(entry.key);
      if (split !== null) return { type: 'split-value', ...split };
      if (!isDescriptorKey(entry.key)) return { type: 'invalid', reason: `kind ${DESCRIPTOR_KIND} under a key that is not a descriptor key` };
      const descriptor = parseDescriptor(entry.value);
      return { type: 'descriptor', status: descriptor.status, keys: descriptor.items.map((item) => item.key) };
    }
  } catch (error) {
    if (error instanceof RecordError) return { type: 'invalid', reason: error.reason };
    throw error;
  }
  return { type: 'value', kind: entry.kind };
}
