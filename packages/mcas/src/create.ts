/**
 * Step 1 of an MCAS: writing the descriptor, and its split-out new values,
 * with `add` — all in one round trip (pipelined per server, servers in
 * parallel). Nothing references them yet, so any failure here leaves every
 * location untouched.
 */
import { RecordKind, type Entry, type Store } from '@mcc/codec';
import { descriptorRecord, type Descriptor } from './descriptor';
import { McasContentionError } from './errors';
import { newDescriptorKey, splitValueKey } from './keys';
import { planDescriptorSplit, type PlannedUpdate } from './plan';
import { McasStatus } from './status';

export interface CreatedDescriptor {
  readonly descriptorKey: string;
  /** As created: UNDECIDED, with the CAS the decision is conditional on. */
  readonly entry: Entry<unknown>;
  readonly descriptor: Descriptor;
  /** Keys of the split-out values (deleted with the descriptor). */
  readonly splitKeys: readonly string[];
}

/** Fresh keys to try if `add` finds one taken (128 random bits: it does not happen, but `add` would tell). */
const MAX_KEY_ATTEMPTS = 3;

/**
 * Creates the descriptor for `planned` (sorted, validated).
 *
 * @throws the store's error (nothing was changed; a descriptor that was
 *   perhaps written is deleted quietly, and would expire anyway)
 */
export async function createDescriptor(store: Store, planned: readonly PlannedUpdate[], ttlSeconds: number): Promise<CreatedDescriptor> {
  for (let attempt = 1; ; attempt++) {
    const descriptorKey = newDescriptorKey();
    const split = await planDescriptorSplit(store, descriptorKey, planned);
    const descriptor: Descriptor = {
      status: McasStatus.Undecided,
      ttlSeconds,
      items: planned.map((update, index) => ({
        key: update.key,
        expectedCas: update.entry.cas,
        epoch: update.entry.epoch ?? '',
        kind: update.kind,
        split: split[index]!,
        newValue: update.newValue,
      })),
    };
    const splitWrites = planned.flatMap((update, index) => (split[index] ? [{ key: splitValueKey(descriptorKey, index), value: update.newValue }] : []));
    const writes = [
      { key: descriptorKey, value: descriptorRecord(descriptor) as unknown },
      ...splitWrites,
    ];
    const results = await Promise.allSettled(writes.map(({ key, value }) => store.add(key, value, { ttl: ttlSeconds, kind: RecordKind.McasDescriptor })));
    const [descriptorResult] = results;
    if (results.every((result) => result.status === 'fulfilled' && result.value !== null) && descriptorResult?.status === 'fulfilled') {
      return { descriptorKey, entry: descriptorResult.value!, descriptor, splitKeys: splitWrites.map(({ key }) => key) };
    }
    // Clean up whatever may exist (written, or perhaps written before a lost reply), but never a key that was taken before us.
    results.forEach((result, index) => {
      if (result.status === 'rejected' || result.value !== null) void store.deleteQuiet(writes[index]!.key).catch(() => undefined);
    });
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
    if (attempt >= MAX_KEY_ATTEMPTS) throw new McasContentionError(descriptorKey, attempt, `mcas: ${MAX_KEY_ATTEMPTS} fresh random descriptor keys were all taken; is something writing mcc:mcas: keys?`);
  }
}
