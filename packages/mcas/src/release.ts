/**
 * Releasing an MCAS: every location still holding its reference gets its
 * final value — the new value on SUCCEEDED, the old value (from the
 * reference record) on FAILED — by a CAS on the reference, so a location
 * released by someone else first (and perhaps taken by another MCAS since)
 * is never overwritten. The writes are independent: one parallel batch.
 *
 * Why nothing acquires a location after the decision (so a release, once
 * done, stays done), for a decision made with a witness:
 * - SUCCEEDED: every location was acquired before the decision, so each has
 *   changed CAS; an acquisition needs the expected CAS, which memcached never
 *   hands out again within a server epoch (and a restart changes the epoch,
 *   which the descriptor records).
 * - FAILED at location f (someone saw f changed, not holding our reference):
 *   locations before f were acquired first (changed CAS, as above); f itself
 *   changed; locations after f are only ever tried by someone who passed f
 *   holding our reference first — acquisition goes in key order — and f
 *   never holds it. So no reference to a FAILED descriptor appears after its
 *   decision.
 * An originator that had to give up without a witness (abort after losing a
 * server) decides FAILED too but never deletes its descriptor, so a helper's
 * late acquisition still finds the descriptor and is rolled back.
 */
import type { Entry, Store } from '@mcc/codec';
import type { Descriptor, DescriptorItem } from './descriptor';
import { REFERENCE_KIND } from './kinds';
import { McasCorruptionError } from './errors';
import { condition, isLostReply, isRefusedWrite, rereading } from './io';
import { splitValueKey } from './keys';
import { RecordError } from './record-error';
import { parseReference, type Reference } from './reference';
import { McasStatus, type DecidedStatus } from './status';

/** A location the originator acquired itself and what it must end up holding. */
export interface KnownLocation {
  readonly index: number;
  readonly key: string;
  /** CAS (and epoch) of the reference, from the acquire reply. */
  readonly cas: bigint;
  readonly epoch: string;
  readonly finalValue: unknown;
  readonly finalKind: number;
}

/** The reference `entry` holds if it is one to `descriptorKey`, else null. */
export function referenceTo(entry: Entry<unknown> | null | undefined, descriptorKey: string): Reference | null {
  if (entry === null || entry === undefined || entry.kind !== REFERENCE_KIND) return null;
  try {
    const reference = parseReference(entry.value);
    return reference.descriptorKey === descriptorKey ? reference : null;
  } catch (error) {
    if (error instanceof RecordError) return null;
    throw error;
  }
}

/**
 * The originator's release: one conditional write per location, all at
 * once, with the CAS its acquisition returned. A CAS mismatch means a helper
 * released it first. After a lost reply the location is re-read and, if it
 * still holds our reference, written again.
 *
 * @param onReleased awaited after each location is final (testing hook)
 * @param onWritten given each entry this call wrote (not those a helper released first, nor any rewritten after a lost reply)
 * @returns whether every location is known to be released; `false` (some
 *   server unreachable, or refusing the write for lack of memory) leaves the
 *   rest to readers, who help
 */
export async function releaseKnown(
  store: Store,
  descriptorKey: string,
  locations: readonly KnownLocation[],
  onReleased: (index: number) => Promise<void>,
  onWritten?: (entry: Entry<unknown>) => void,
): Promise<boolean> {
  const releaseOne = async (location: KnownLocation): Promise<boolean> => {
    let released: boolean;
    try {
      const written = await store.cas(condition(location.key, location.cas, location.epoch), location.finalValue, { kind: location.finalKind });
      if (written !== null) onWritten?.(written);
      released = true; // written, or (null) already released by a helper
    } catch (error) {
      // Refused (a full server): not written, the reference is still there; the outcome is decided, so a reader finishes it.
      if (isRefusedWrite(error)) return false;
      if (!isLostReply(error)) throw error;
      released = await releaseAfterLostReply(store, descriptorKey, location);
    }
    if (released) await onReleased(location.index);
    return released;
  };
  const results = await Promise.allSettled(locations.map(releaseOne));
  // A hook's "crash" (or another error) surfaces only after every write settled: nothing is left in flight.
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  return results.every((result) => result.status === 'fulfilled' && result.value);
}

async function releaseAfterLostReply(store: Store, descriptorKey: string, location: KnownLocation): Promise<boolean> {
  try {
    const current = await rereading(() => store.get(location.key));
    if (referenceTo(current, descriptorKey) === null) return true; // our write (or a helper's) went through
    await store.cas(current!, location.finalValue, { kind: location.finalKind });
    return true;
  } catch (error) {
    if (isLostReply(error) || isRefusedWrite(error)) return false;
    throw error;
  }
}

/** Where a location's final value comes from. */
type Final = { readonly value: unknown; readonly kind: number } | 'split-missing';

/**
 * The helpers' release (also the originator's when someone else decided):
 * read every location (one getMulti), then write the final value where our
 * reference still is, conditional on the CAS just read. Split-out new values
 * are read only when needed (a second getMulti).
 *
 * @throws McasCorruptionError when a needed split-out value is missing and
 *   the location still holds our reference, unchanged, on a second look
 */
export async function releaseByReading(store: Store, descriptorKey: string, descriptor: Descriptor, status: DecidedStatus): Promise<void> {
  const items = descriptor.items;
  const current = await store.getMulti(items.map((item) => item.key));
  const pending = items.flatMap((item, index) => {
    const entry = current.get(item.key);
    const reference = referenceTo(entry, descriptorKey);
    return reference === null ? [] : [{ item, index, entry: entry!, reference }];
  });
  if (pending.length === 0) return;

  let splitValues = new Map<string, Entry<unknown>>();
  if (status === McasStatus.Succeeded) {
    const splitKeys = pending.filter(({ item }) => item.split).map(({ index }) => splitValueKey(descriptorKey, index));
    if (splitKeys.length > 0) splitValues = await store.getMulti(splitKeys);
  }
  const finalOf = (item: DescriptorItem, index: number, reference: Reference): Final => {
    if (status === McasStatus.Failed) return { value: reference.oldValue, kind: reference.oldKind };
    if (!item.split) return { value: item.newValue, kind: item.kind };
    const split = splitValues.get(splitValueKey(descriptorKey, index));
    return split === undefined ? 'split-missing' : { value: split.value, kind: item.kind };
  };

  await Promise.all(
    pending.map(async ({ item, index, entry, reference }) => {
      const final = finalOf(item, index, reference);
      if (final === 'split-missing') {
        await checkUnchanged(store, descriptorKey, entry, `its new value, split out to ${splitValueKey(descriptorKey, index)}, is missing`);
        return;
      }
      // null: released by someone else since we read it; nothing else can have changed it.
      await store.cas(entry, final.value, { kind: final.kind });
    }),
  );
}

/**
 * A record the location needs is missing: if the location still holds the
 * same reference with the same CAS, nothing can resolve it (corruption);
 * if it changed, someone released it meanwhile (the originator deletes
 * records only after its release is complete).
 */
export async function checkUnchanged(store: Store, descriptorKey: string, seen: Entry<unknown>, reason: string): Promise<void> {
  const again = await store.get(seen.key);
  if (again !== null && again.cas === seen.cas && referenceTo(again, descriptorKey) !== null) {
    throw new McasCorruptionError(seen.key, descriptorKey, `${reason}, and the location did not change`, { server: store.client.serverFor(seen.key) });
  }
}
