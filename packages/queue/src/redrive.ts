/**
 * Redriving dead letters: moving them back into `ready`, oldest first, onto
 * its right end (they are jobs to try again, queued behind what is there).
 *
 * Each batch is ONE `Deque.transact` — take up to WINDOW dead letters from
 * the left of `dead`, push them as jobs onto the right of `ready` — so a
 * dead letter is always in exactly one of the two: a crash or a lost reply
 * can neither lose one nor redrive it twice, and two redrives running at
 * once never take the same one (the loser of the MCAS takes the next ones).
 * WINDOW (256) is the sweeps' bound: a transaction holds the values it
 * moves in memory and writes them again, so a batch is as large as a sweep
 * may be, no larger.
 *
 * A redriven job gets a fresh id and starts at 0 deliveries. Keeping the old
 * id would meet the old deliveries' markers (`mcc:q:NAME:m:ID:D`, 'x' or 'n',
 * alive for 30 days): the new first claim's ack would find the old 'x' of
 * delivery 1 and fail with LeaseExpiredError. `{ id, from }` keeps the
 * correlation.
 */
import { Deque, DequeOutcomeUnknownError, InvalidArgumentError, type TransactValue } from '@mcc/deque';
import type { QueueCore } from './core';
import { QueueCorruptedError } from './errors';
import { jobId } from './job-id';
import { isDeadLetter, type ReadyItem } from './records';
import { WINDOW } from './sweep';

/** A dead letter put back into the queue: its new job id, and the id it had as a dead letter. */
export interface RedrivenJob {
  readonly id: string;
  readonly from: string;
}

/** What a `DequeOutcomeUnknownError` from `redrive` carries as its `value`. */
export interface RedriveUnknown {
  /** Committed before the lost reply: in `ready` under their new ids. */
  readonly redriven: readonly RedrivenJob[];
  /** The batch whose reply was lost: all of them in `ready` under the new ids, or all still in the dead letters under the old ones. */
  readonly unknown: readonly RedrivenJob[];
}

export async function redrive(core: QueueCore, max: number | undefined): Promise<RedrivenJob[]> {
  if (max !== undefined && !(Number.isSafeInteger(max) && max >= 1)) throw new InvalidArgumentError(`redrive: max must be a whole number ≥ 1, got ${String(max)}`);
  await core.settings(); // a queue that does not exist: QueueNotFoundError, before anything
  const total = max ?? (await core.dead.length());
  const redriven: RedrivenJob[] = [];
  while (redriven.length < total) {
    const batch = await redriveBatch(core, Math.min(WINDOW, total - redriven.length), redriven);
    if (batch.length === 0) break; // no dead letters left (another redrive may have taken them)
    redriven.push(...batch);
  }
  return redriven;
}

/** One transaction: up to `count` dead letters into `ready`; [] if there were none. */
async function redriveBatch(core: QueueCore, count: number, before: readonly RedrivenJob[]): Promise<RedrivenJob[]> {
  // Drawn once, outside `decide` (which may run once per attempt and must not have side effects).
  const ids = Array.from({ length: count }, jobId);
  // Why the last decision aborted, if not for an empty `dead`: reported only when the anchors were
  // read for it (a decision on cached anchors is taken again on read ones).
  let corrupt: { error: QueueCorruptedError } | undefined;
  const outcome = await Deque.transact([{ deque: core.dead, take: { side: 'left', count } }, { deque: core.ready }], (taken) => {
    corrupt = undefined;
    const letters = taken[0]!;
    const jobs: TransactValue[] = [];
    const result: RedrivenJob[] = [];
    for (const [index, letter] of letters.entries()) {
      if (!isDeadLetter(letter)) {
        corrupt = { error: new QueueCorruptedError(core.name, core.keys.dead, `dead letter ${before.length + index} is not {id: string, value, deliveries ≥ 1}`) };
        return undefined;
      }
      jobs.push({ value: { i: ids[index]!, v: letter.value, d: 0 } satisfies ReadyItem });
      result.push({ id: ids[index]!, from: letter.id });
    }
    return jobs.length === 0 ? undefined : { pushes: [{ step: 1, side: 'right', values: jobs }], result };
  });
  if (outcome.status === 'committed') return outcome.result;
  if (outcome.status === 'unknown') throw new DequeOutcomeUnknownError(core.keys.dead, 'move', { redriven: [...before], unknown: outcome.result } satisfies RedriveUnknown, outcome.cause);
  if (corrupt !== undefined) throw corrupt.error;
  return [];
}
