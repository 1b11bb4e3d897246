/**
 * Acquiring one location for a descriptor: replacing the value it was
 * expected to hold with a reference to the descriptor, by CAS.
 *
 * Shared by the originator (which starts from the caller's entry and writes
 * blind: 1 round trip) and helpers (which start from what they read). What a
 * location can hold, and what it means for this descriptor D:
 *
 *   missing                        → it changed: D fails here
 *   reference to D                 → acquired already (by a helper, or by us before a lost reply)
 *   reference to another MCAS      → it changed: D fails here (see below)
 *   value with CAS = expected      → try the CAS; if it loses, look again
 *   value with CAS ≠ expected      → it changed: D fails here
 *
 * Why a reference to another MCAS is a failure at once, where Fraser helps
 * it and retries: his locations compare values, and a value can come back
 * (ABA) when the other MCAS fails. Here the comparison is on memcached CAS
 * ids, which never repeat within a server epoch, and an expected CAS always
 * comes from a plain value (mcas refuses entries holding a reference): a
 * location holding any reference has been written since, so the expected
 * CAS can never match again, helped or not. The originator still helps that
 * other MCAS afterwards (see mcas.ts), so the caller's retry reads settled
 * values; helpers never recurse into other descriptors.
 *
 * Each "it changed" is a witness that makes the FAILED decision safe: no
 * later acquisition of D can happen (see release.ts).
 */
import type { Entry, Store } from '@mcc/codec';
import type { DescriptorItem } from './descriptor';
import { REFERENCE_KIND } from './kinds';
import { condition, isLostReply, isStaleCas, rereading } from './io';
import { RecordError } from './record-error';
import { parseReference, referenceRecord } from './reference';

/** The outcome of acquiring one location. */
export type AcquireResult =
  | { readonly acquired: true; readonly cas: bigint; readonly epoch: string }
  /**
   * `foreign`: the other descriptor found there, if that was the reason.
   * `uncertain`: one of our CAS attempts lost its reply, so our reference may
   * have been there for a while (and a helper may have completed the MCAS
   * through it) before the location changed again.
   */
  | { readonly acquired: false; readonly foreign: string | null; readonly uncertain: boolean };

/**
 * CAS attempts per location. A lost CAS race means the location changed, so
 * the next look fails the MCAS; only a lost reply can make it look unchanged
 * again. A handful of attempts therefore covers every real sequence.
 */
const MAX_ATTEMPTS = 4;

/** Thrown when the attempts ran out; the caller decides what it means for it. */
export class AcquireBudgetError extends Error {
  readonly attempts = MAX_ATTEMPTS;
  constructor(readonly key: string) {
    super(`location ${JSON.stringify(key)} did not settle within ${MAX_ATTEMPTS} attempts`);
    this.name = 'AcquireBudgetError';
  }
}

/** What a look at a location means for `descriptorKey`. */
type Look =
  | { readonly type: 'ours'; readonly cas: bigint; readonly epoch: string }
  | { readonly type: 'candidate'; readonly entry: Entry<unknown> }
  | { readonly type: 'changed'; readonly foreign: string | null };

export function classify(entry: Entry<unknown> | null, item: Pick<DescriptorItem, 'expectedCas' | 'epoch'>, descriptorKey: string): Look {
  if (entry === null) return { type: 'changed', foreign: null };
  if (entry.kind === REFERENCE_KIND) {
    let target: string | null;
    try {
      target = parseReference(entry.value).descriptorKey;
    } catch (error) {
      if (!(error instanceof RecordError)) throw error;
      target = null; // an unreadable reference is still not our value: it changed
    }
    if (target === descriptorKey) return { type: 'ours', cas: entry.cas, epoch: entry.epoch };
    return { type: 'changed', foreign: target };
  }
  const sameEpoch = item.epoch === '' || entry.epoch === item.epoch;
  if (entry.cas === item.expectedCas && sameEpoch) return { type: 'candidate', entry };
  return { type: 'changed', foreign: null };
}

/**
 * Acquires `item`'s location for `descriptorKey`, starting from `observed`:
 * the caller's entry (originator) or a fresh read (helper; `null` = missing).
 *
 * `noneOurs`: the caller knows no reference to the descriptor can be at the
 * location yet — the originator at its first location in key order (nobody
 * knows the descriptor before a reference to it exists, and the first one is
 * written there). A refused first CAS then proves the location changed (CAS
 * ids never repeat): the MCAS fails without reading the location again, one
 * round trip less on the commonest failure under contention — for a caller
 * that retries (McasOptions.retrying): its read, through mcasGet, settles
 * another MCAS found there, which the second look would have helped.
 *
 * @throws AcquireBudgetError after {@link MAX_ATTEMPTS} inconclusive attempts
 * @throws the read's error when the location cannot be read (after re-reads)
 */
export async function acquireLocation(store: Store, descriptorKey: string, item: DescriptorItem, observed: Entry<unknown> | null, noneOurs = false): Promise<AcquireResult> {
  let look = classify(observed, item, descriptorKey);
  let uncertain = false;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (look.type === 'ours') return { acquired: true, cas: look.cas, epoch: look.epoch };
    if (look.type === 'changed') return { acquired: false, foreign: look.foreign, uncertain };
    const current = look.entry;
    try {
      const record = referenceRecord({ descriptorKey, oldValue: current.value, oldKind: current.kind });
      // The CAS condition is the one in the descriptor (and its epoch), so a
      // server restart since the caller's read is refused, not matched by accident.
      const written = await store.cas(condition(item.key, item.expectedCas, item.epoch), record, { kind: REFERENCE_KIND });
      if (written !== null) return { acquired: true, cas: written.cas, epoch: written.epoch };
      if (noneOurs && !uncertain) return { acquired: false, foreign: null, uncertain: false };
    } catch (error) {
      // A lost reply: the reference may or may not be there; references are
      // unique to this descriptor, so reading the location tells.
      if (!isLostReply(error) && !isStaleCas(error)) throw error;
      if (isLostReply(error)) uncertain = true;
    }
    look = classify(await rereading(() => store.get(item.key)), item, descriptorKey);
  }
  throw new AcquireBudgetError(item.key);
}
