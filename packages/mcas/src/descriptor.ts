/**
 * The MCAS descriptor record (kind 1) and its shape on the wire
 * (docs/FORMAT.md, "MCAS records"). A msgpack map:
 *
 * ```
 * { s: 0 | 1 | 2,                       status: UNDECIDED | SUCCEEDED | FAILED
 *   t: ttlSeconds,                       TTL the descriptor is written with (a helper's decision keeps it)
 *   i: [ [key, expectedCas, newValue, split, epoch, kind], … ] }
 *        │    │            │         │      │      └ record kind the new value is written with (0 = user value)
 *        │    │            │         │      └ server epoch the CAS was read in ("" = unknown)
 *        │    │            │         └ 0: newValue inline; 1: it is in item <descriptor key>:v<index>, newValue nil
 *        │    │            └ the value to write on success
 *        │    └ the CAS the location must still have (msgpack integer)
 *        └ location key; items sorted by the UTF-8 bytes of the key
 * ```
 *
 * Large new values are split out so that the descriptor, which is rewritten
 * whole on the decision, stays small: a value whose encoding exceeds
 * {@link MAX_INLINE_VALUE_BYTES}, or that would bring the inline total over
 * {@link MAX_INLINE_TOTAL_BYTES}, goes to its own item.
 */
import { compareKeys } from './keys';
import { isPlainRecord, readCas, readKind, RecordError } from './record-error';
import { isMcasStatus, McasStatus } from './status';

/** Largest encoded new value kept inside the descriptor: 64 KiB. */
export const MAX_INLINE_VALUE_BYTES = 64 * 1024;
/** Largest total of encoded new values kept inside the descriptor: 256 KiB. */
export const MAX_INLINE_TOTAL_BYTES = 256 * 1024;
/** Generous per-item allowance for everything but the value (key ≤ 250 bytes, CAS, epoch, tags). */
export const DESCRIPTOR_ITEM_OVERHEAD_BYTES = 320;

export interface DescriptorItem {
  /** Location key. */
  readonly key: string;
  /** CAS the location must still have to be acquired. */
  readonly expectedCas: bigint;
  /** Server epoch `expectedCas` belongs to; '' when the caller's entry had none. */
  readonly epoch: string;
  /** Record kind the new value is written with (the kind the location had). */
  readonly kind: number;
  /** Whether the new value lives in its own item (`<descriptor key>:v<index>`). */
  readonly split: boolean;
  /** The new value; `null` in a decoded descriptor when `split` (read the split-out item). */
  readonly newValue: unknown;
}

export interface Descriptor {
  readonly status: McasStatus;
  /** Sorted by key (UTF-8 byte order), keys unique. */
  readonly items: readonly DescriptorItem[];
  /** TTL in seconds the descriptor (and its split-out values) are written with; a helper's decision keeps it. */
  readonly ttlSeconds: number;
}

/** The record stored for `descriptor` (the codec encodes it). */
export function descriptorRecord(descriptor: Descriptor): { s: McasStatus; i: unknown[][]; t: number } {
  return {
    s: descriptor.status,
    i: descriptor.items.map((item) => [item.key, item.expectedCas, item.split ? null : item.newValue, item.split ? 1 : 0, item.epoch, item.kind]),
    t: descriptor.ttlSeconds,
  };
}

/**
 * Reads a decoded descriptor record, checking everything a helper relies on.
 *
 * @throws RecordError naming what is wrong
 */
export function parseDescriptor(value: unknown): Descriptor {
  if (!isPlainRecord(value)) throw new RecordError('the descriptor is not a map');
  const status = value['s'];
  if (!isMcasStatus(status)) throw new RecordError(`the descriptor status ${String(status)} is not 0, 1 or 2`);
  const list = value['i'];
  if (!Array.isArray(list) || list.length < 2) throw new RecordError('the descriptor has no list of at least 2 items');
  const items = list.map((raw, index): DescriptorItem => {
    const where = `descriptor item ${index}`;
    if (!Array.isArray(raw) || raw.length !== 6) throw new RecordError(`${where} is not a 6-element array`);
    const [key, cas, newValue, split, epoch, kind] = raw as unknown[];
    if (typeof key !== 'string' || key === '') throw new RecordError(`${where} has no key`);
    if (split !== 0 && split !== 1) throw new RecordError(`${where} has a split flag other than 0 or 1`);
    if (typeof epoch !== 'string') throw new RecordError(`${where} has an epoch that is not a string`);
    return { key, expectedCas: readCas(cas, `${where}'s expected CAS`), epoch, kind: readKind(kind, `${where}'s kind`), split: split === 1, newValue: split === 1 ? null : newValue };
  });
  for (let index = 1; index < items.length; index++) {
    if (compareKeys(items[index - 1]!.key, items[index]!.key) >= 0) throw new RecordError('the descriptor items are not sorted by key without duplicates');
  }
  const ttl = value['t'];
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 0) throw new RecordError('the descriptor has no TTL (t)');
  return { status, items, ttlSeconds: ttl };
}

/**
 * Which new values to split out, given their encoded sizes (in item order):
 * inline while each is at most {@link MAX_INLINE_VALUE_BYTES} and the running
 * total stays within `budget` (default {@link MAX_INLINE_TOTAL_BYTES}).
 */
export function planSplit(encodedSizes: readonly number[], budget = MAX_INLINE_TOTAL_BYTES): boolean[] {
  let inlineTotal = 0;
  return encodedSizes.map((size) => {
    if (size > MAX_INLINE_VALUE_BYTES || inlineTotal + size > budget) return true;
    inlineTotal += size;
    return false;
  });
}

/** The same descriptor with another status (the record written on the decision). */
export function withStatus(descriptor: Descriptor, status: McasStatus): Descriptor {
  return { ...descriptor, status };
}

export { McasStatus };
