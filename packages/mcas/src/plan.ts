/**
 * Validating and planning an `mcas` call before anything is written: the
 * updates are checked, sorted into the global key order, measured against
 * the servers' item size limits, and their new values are assigned to the
 * descriptor or to split-out items.
 */
import { CasUnsupportedError, EncodeError, InvalidArgumentError, mccFlags, ValueTooLargeError, type Entry, type Store } from '@mcc/codec';
import { DESCRIPTOR_ITEM_OVERHEAD_BYTES, MAX_INLINE_TOTAL_BYTES, planSplit } from './descriptor';
import { DESCRIPTOR_KIND, REFERENCE_KIND } from './kinds';
import { compareKeys } from './keys';
import { REFERENCE_OVERHEAD_BYTES } from './reference';

/** One `[entry, newValue]` pair of an `mcas` call. */
export type McasUpdate = readonly [entry: Entry<unknown>, newValue: unknown];

/** A validated update, in key order. */
export interface PlannedUpdate {
  readonly key: string;
  readonly entry: Entry<unknown>;
  readonly newValue: unknown;
  /** Record kind of the location (kept for the new value). */
  readonly kind: number;
  /** Size of the encoded new value (0 when not measured: a 1-entry mcas). */
  readonly newSize: number;
  /** Size of the encoded current value (0 when not measured). */
  readonly currentSize: number;
}

function describeKey(key: string): string {
  return JSON.stringify(key.length > 60 ? key.slice(0, 60) + '…' : key);
}

/** Checks one update's shape. @throws InvalidArgumentError */
function checkUpdate(update: unknown, index: number): { entry: Entry<unknown>; newValue: unknown } {
  if (!Array.isArray(update) || update.length !== 2) throw new InvalidArgumentError(`mcas update ${index} must be an [entry, newValue] pair`);
  const [entry, newValue] = update as [unknown, unknown];
  if (typeof entry !== 'object' || entry === null || typeof (entry as Entry).key !== 'string') {
    throw new InvalidArgumentError(`mcas update ${index}: expected an entry read with mcasGet/mcasGetMulti (or returned by a write)`);
  }
  const { key, cas, kind, epoch } = entry as Entry;
  if (typeof cas !== 'bigint' || cas < 0n) throw new InvalidArgumentError(`mcas update ${index} (key ${describeKey(key)}): the entry has no CAS id`, { key });
  if (epoch !== undefined && typeof epoch !== 'string') throw new InvalidArgumentError(`mcas update ${index} (key ${describeKey(key)}): the entry's epoch is not a string`, { key });
  if (kind !== undefined && (!Number.isInteger(kind) || kind < 0 || kind > 0xff)) {
    throw new InvalidArgumentError(`mcas update ${index} (key ${describeKey(key)}): the entry's kind is not a record kind`, { key });
  }
  if (kind === REFERENCE_KIND || kind === DESCRIPTOR_KIND) {
    throw new InvalidArgumentError(
      `mcas update ${index} (key ${describeKey(key)}) holds an MCAS record (kind ${kind}), not a value: read locations with mcasGet/mcasGetMulti`,
      { key },
    );
  }
  if (newValue === undefined) throw new InvalidArgumentError(`mcas update ${index} (key ${describeKey(key)}): the new value is undefined (use null)`, { key });
  return { entry: entry as Entry<unknown>, newValue };
}

function encodedSize(store: Store, key: string, value: unknown): number {
  try {
    return store.codec.encode(value).length;
  } catch (error) {
    if (error instanceof EncodeError) throw error.withContext({ key, server: store.client.serverFor(key) });
    throw error;
  }
}

/**
 * Validates `updates` and returns them sorted by key. For two or more, every
 * new value and every current value must fit a location wrapped in a
 * reference (item limit − flags − key − {@link REFERENCE_OVERHEAD_BYTES}).
 *
 * @throws InvalidArgumentError, InvalidKeyError, EncodeError, ValueTooLargeError — nothing written
 * @throws CasUnsupportedError for an entry with CAS id 0 (read from a server started with `-C`)
 */
export async function planUpdates(store: Store, updates: readonly McasUpdate[]): Promise<PlannedUpdate[]> {
  if (!Array.isArray(updates)) throw new InvalidArgumentError('mcas expects an array of [entry, newValue] pairs');
  const checked = updates.map((update, index) => checkUpdate(update, index));
  const seen = new Set<string>();
  for (const { entry } of checked) {
    const server = store.client.serverFor(entry.key); // validates the key (InvalidKeyError)
    // CAS 0 is what a server without CAS (-C) hands out: as a condition it would match anything.
    if (entry.cas === 0n) throw new CasUnsupportedError(server, entry.key);
    if (seen.has(entry.key)) throw new InvalidArgumentError(`mcas got key ${describeKey(entry.key)} twice`, { key: entry.key });
    seen.add(entry.key);
  }
  checked.sort((a, b) => compareKeys(a.entry.key, b.entry.key));
  const measure = checked.length >= 2;
  return Promise.all(
    checked.map(async ({ entry, newValue }) => {
      const key = entry.key;
      const kind = entry.kind ?? 0;
      if (!measure) return { key, entry, newValue, kind, newSize: 0, currentSize: 0 };
      const server = store.client.serverFor(key);
      const info = await store.client.serverInfo(server);
      // The flags matter: memcached keeps non-zero flags in 4 more bytes of the item.
      const limit = info.maxValueLength(Buffer.byteLength(key, 'utf8'), mccFlags(REFERENCE_KIND, store.codec.id)) - REFERENCE_OVERHEAD_BYTES;
      const newSize = encodedSize(store, key, newValue);
      const currentSize = encodedSize(store, key, entry.value);
      for (const [which, size] of [['new', newSize], ['current', currentSize]] as const) {
        if (size > limit) {
          throw new ValueTooLargeError(
            size,
            limit,
            `mcas: the ${which} value of ${describeKey(key)} takes ${size} bytes, but a location taking part in an MCAS holds at most ${limit} ` +
              `(the item limit of ${server} less the key, flags and the ${REFERENCE_OVERHEAD_BYTES}-byte reference around it); nothing was written`,
            { key, server },
          );
        }
      }
      return { key, entry, newValue, kind, newSize, currentSize };
    }),
  );
}

/**
 * Which new values go to split-out items, given the descriptor's server
 * limit: inline up to 64 KiB each and 256 KiB in all, less if the
 * descriptor's server takes smaller items.
 *
 * @throws ValueTooLargeError when even the descriptor without values cannot fit
 * @throws CasUnsupportedError when the descriptor's server runs without CAS (`-C`)
 */
export async function planDescriptorSplit(store: Store, descriptorKey: string, planned: readonly PlannedUpdate[]): Promise<boolean[]> {
  const server = store.client.serverFor(descriptorKey);
  const info = await store.client.serverInfo(server);
  // The decision is a CAS on the descriptor: on a server without CAS (-C) it
  // could never be written, so refuse before the descriptor exists.
  if (!info.casEnabled) throw new CasUnsupportedError(server, descriptorKey);
  const limit = info.maxValueLength(Buffer.byteLength(descriptorKey, 'utf8'), mccFlags(DESCRIPTOR_KIND, store.codec.id));
  const fixed = planned.length * DESCRIPTOR_ITEM_OVERHEAD_BYTES + 64;
  if (fixed > limit) {
    throw new ValueTooLargeError(fixed, limit, `mcas: a descriptor for ${planned.length} entries does not fit the ${limit}-byte item limit of ${server}; nothing was written`, {
      key: descriptorKey,
      server,
    });
  }
  return planSplit(
    planned.map((update) => update.newSize),
    Math.min(MAX_INLINE_TOTAL_BYTES, limit - fixed),
  );
}
