/**
 * The descriptor reference (kind 2): what an acquired location holds while
 * an MCAS is in flight. A msgpack map:
 *
 * ```
 * { d: "<descriptor key>", o: <the location's value before the MCAS>, k: <its kind, omitted when 0> }
 * ```
 *
 * It is marked as a reference by the record kind in the item flags (out of
 * band), never by its content, so no user value can pass for one. The old
 * value travels with the reference so that any helper can roll the location
 * back without asking the originator; the price is that a location's value
 * must leave room for the reference around it ({@link REFERENCE_OVERHEAD_BYTES}).
 */
import { isPlainRecord, readKind, RecordError } from './record-error';
import { isDescriptorKey } from './keys';

/**
 * Bytes a reference adds around the encoded old value, with margin: the map
 * header, the three tags, a 31-byte descriptor key and the kind take 40.
 */
export const REFERENCE_OVERHEAD_BYTES = 100;

export interface Reference {
  readonly descriptorKey: string;
  /** The location's value before the MCAS (written back if it fails). */
  readonly oldValue: unknown;
  /** The location's record kind before the MCAS (0 = user value). */
  readonly oldKind: number;
}

/** The record stored for a reference (the codec encodes it). */
export function referenceRecord(reference: Reference): Record<string, unknown> {
  const record: Record<string, unknown> = { d: reference.descriptorKey, o: reference.oldValue };
  if (reference.oldKind !== 0) record['k'] = reference.oldKind;
  return record;
}

/**
 * Reads a decoded reference record.
 *
 * @throws RecordError naming what is wrong
 */
export function parseReference(value: unknown): Reference {
  if (!isPlainRecord(value)) throw new RecordError('the reference record is not a map');
  const descriptorKey = value['d'];
  if (typeof descriptorKey !== 'string' || !isDescriptorKey(descriptorKey)) throw new RecordError('the reference record has no valid descriptor key');
  if (!('o' in value)) throw new RecordError('the reference record has no old value');
  const oldKind = value['k'] === undefined ? 0 : readKind(value['k'], "the reference's old kind");
  return { descriptorKey, oldValue: value['o'], oldKind };
}

export { RecordError };
