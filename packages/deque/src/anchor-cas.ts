/**
 * The anchor CAS — the linearization point of every batch — and what
 * happens when it is lost or its reply is.
 *
 * Lost race: under contention the engine asks for the fresh anchor to be
 * read *behind* the conditional write, in the same flush (memcached answers
 * one connection's requests in order, so the get sees the anchor as it is
 * right after our CAS was refused): a loss then costs no extra round trip.
 *
 * Lost reply (connection closed, timeout): the batch-id window decides.
 * Every anchor carries the ids of its last RECENT_BATCHES batches (`o`), so
 * re-reading tells:
 *   - our id is in `o`                            → applied;
 *   - the anchor is unchanged (same CAS)          → not applied yet: "fence"
 *     it (CAS the same content with s + 1 and a fresh id) so the lost write
 *     can never apply late, then → not applied;
 *   - changed, fewer than RECENT_BATCHES batches since ours was planned
 *     (s − ours.s ≤ RECENT_BATCHES − 1)           → had it applied its id
 *     would still be in the window → not applied;
 *   - otherwise                                    → unknown (the caller
 *     reports DequeOutcomeUnknownError with the values).
 */
import { isLostReply } from '@mcc/mcas';
import { RECENT_BATCHES, type Anchor } from './anchor';
import { batchId as nextBatchId } from './ids';
import type { LogRead } from './log';
import type { AnchorEntry, DequeRecords } from './records';

export type CasOutcome =
  /** `replied`: false when the outcome was learned by re-reading after a lost reply. */
  | { readonly applied: true; readonly entry: AnchorEntry; readonly replied: boolean }
  /**
   * `current`: the anchor read behind the refused CAS (or after a fence); null when none was read.
   * `log`: what `alsoBehind` read in the same flush (the announcement log, for a combiner), if asked.
   */
  | { readonly applied: false; readonly current: AnchorEntry | null; readonly log?: LogRead | null }
  | { readonly applied: 'unknown'; readonly cause: Error };

/** Keep the anchor's record kind (an MCAS release may have written it as a plain value). */
function casOptions(anchor: AnchorEntry): { kind: number } {
  return { kind: anchor.kind };
}

/**
 * CASes `next` over `anchor`. With `readBehind`, the anchor is read in the
 * same flush, so a refusal returns the fresh anchor at no extra round trip;
 * `alsoBehind` (a combiner's log read) is sent in that flush too.
 */
export async function casAnchor(
  records: DequeRecords,
  anchor: AnchorEntry,
  next: Anchor,
  batchId: string,
  readBehind: boolean,
  alsoBehind?: () => Promise<LogRead>,
): Promise<CasOutcome> {
  const written = records.store.cas(anchor, next, casOptions(anchor));
  // The CAS reaches the connection's queue a few microtasks from now and its flush runs
  // in a later immediate: an immediate queued now runs between the two, so the get is
  // written right behind the CAS, in the same flush.
  const queued = readBehind || alsoBehind !== undefined ? new Promise<void>((resolve) => setImmediate(resolve)) : null;
  const behind = queued === null ? null : queued.then(() => records.readAnchor());
  const behindLog = queued === null || alsoBehind === undefined ? null : queued.then(alsoBehind);
  behind?.catch(() => undefined); // only looked at after a refusal
  behindLog?.catch(() => undefined);
  let entry: AnchorEntry | null;
  try {
    entry = (await written) as AnchorEntry | null;
  } catch (error) {
    if (!isLostReply(error)) throw error;
    const outcome = await resolveLostReply(records, anchor, batchId).catch(() => 'unknown' as const);
    if (outcome === 'unknown') return { applied: 'unknown', cause: error };
    if (outcome.applied) return { applied: true, entry: outcome.entry, replied: false };
    return { applied: false, current: outcome.entry };
  }
  if (entry !== null) return { applied: true, entry, replied: true };
  if (behind === null) return { applied: false, current: null };
  const current = await behind.catch(() => null);
  const log = behindLog === null ? null : await behindLog.catch(() => null);
  // The read may have raced ahead of a reconnect; only an anchor other than ours is news.
  return { applied: false, current: current !== null && current.cas !== anchor.cas ? current : null, log };
}

type Resolution = { readonly applied: boolean; readonly entry: AnchorEntry } | 'unknown';

/** The batch-id window rules above; `entry` is the anchor to continue from. */
async function resolveLostReply(records: DequeRecords, anchor: AnchorEntry, batchId: string): Promise<Resolution> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await records.readAnchor();
    if (current.value.o.includes(batchId)) return { applied: true, entry: current };
    if (current.cas === anchor.cas) {
      // Unchanged: our CAS did not apply yet. Bump the anchor so it never can.
      const fence: Anchor = { ...current.value, s: current.value.s + 1, o: [...current.value.o, nextBatchId()].slice(-RECENT_BATCHES) };
      const fenced = (await records.store.cas(current, fence, casOptions(current))) as AnchorEntry | null;
      if (fenced !== null) return { applied: false, entry: fenced };
      continue;
    }
    // Changed by others: had ours applied, its id would still be in the window.
    if (current.value.s - anchor.value.s <= RECENT_BATCHES - 1) return { applied: false, entry: current };
    return 'unknown';
  }
  return 'unknown';
}
