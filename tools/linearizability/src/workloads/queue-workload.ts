/**
 * A client of one work queue for recording histories: random pushes
 * (single and `pushMany` of two), claims, and settling the jobs it holds —
 * ack (sometimes twice: idempotent), nack, extend — each recorded with its
 * outcome. A LeaseExpiredError is an output (`'expired'`), not an error.
 *
 * Typed structurally (`QueueHandle`, `JobHandle`), so this package needs no
 * dependency on @mcc/queue: pass a `WorkQueue`.
 */
import type { HistoryRecorder } from '../history';
import type { QueueInput, QueueOutput } from '../models/queue-model';
import { errorCode } from '../outcome';

/** What the workload calls on a claimed job (as @mcc/queue's `Job`). */
export interface JobHandle {
  readonly value: unknown;
  readonly deliveries: number;
  ack(): Promise<void>;
  nack(options?: { delayMs?: number }): Promise<void>;
  extend(ms: number): Promise<void>;
}

/** What the workload calls on the queue (as @mcc/queue's `WorkQueue`). */
export interface QueueHandle {
  push(value: number): Promise<string>;
  pushMany(values: Iterable<number>): Promise<string[]>;
  claim(options?: { waitMs?: number }): Promise<JobHandle | undefined>;
}

export type QueueRecorder = HistoryRecorder<QueueInput<number>, QueueOutput<number>>;

export interface QueueClientOptions {
  /** The client's id in the history; values are `client * 1e6 + n`. */
  readonly client: number;
  readonly operations: number;
  /** Uniform in [0, 1). */
  readonly random: () => number;
  /** Most jobs a client holds unsettled at once (default 2). */
  readonly maxHeld?: number;
  /** Pause after an error, ms (a cut connection is reconnecting); default 20. */
  readonly pauseAfterErrorMs?: number;
}

const LEASE_EXPIRED = 'MCC_ERR_LEASE_EXPIRED';

/** Runs `settle`; a LeaseExpiredError is the output `'expired'`. */
async function settled(settle: () => Promise<void>): Promise<QueueOutput<number>> {
  try {
    await settle();
    return 'ok';
  } catch (error) {
    if (errorCode(error) === LEASE_EXPIRED) return 'expired';
    throw error;
  }
}

/** One claim, recorded; the job (or undefined). `final`: see queueModel. */
export async function recordClaim(queue: QueueHandle, recorder: QueueRecorder, client: number, final = false): Promise<JobHandle | undefined> {
  let job: JobHandle | undefined;
  await recorder.record(client, final ? { op: 'claim', final } : { op: 'claim' }, async () => {
    job = await queue.claim({ waitMs: 0 });
    return job === undefined ? null : { value: job.value as number, deliveries: job.deliveries };
  });
  return job;
}

/** Settles `job` one way, recorded; resolves with the output, rejects as the operation did. */
export function recordSettle(recorder: QueueRecorder, client: number, job: JobHandle, op: 'ack' | 'nack' | 'extend'): Promise<QueueOutput<number>> {
  const input: QueueInput<number> = { op, value: job.value as number, delivery: job.deliveries };
  return recorder.record(client, input, () => settled(() => (op === 'ack' ? job.ack() : op === 'nack' ? job.nack() : job.extend(600_000))));
}

/** One client: `operations` random operations in sequence, then it acks what it still holds; errors are recorded, not thrown. */
export async function runQueueClient(queue: QueueHandle, recorder: QueueRecorder, options: QueueClientOptions): Promise<void> {
  const { client, random } = options;
  const maxHeld = options.maxHeld ?? 2;
  const held: JobHandle[] = [];
  let counter = 0;
  const nextValue = (): number => client * 1_000_000 + counter++;
  const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, options.pauseAfterErrorMs ?? 20));
  for (let index = 0; index < options.operations; index++) {
    const roll = random();
    try {
      if (held.length > 0 && (roll < 0.4 || held.length >= maxHeld)) {
        const at = Math.floor(random() * held.length);
        const job = held[at]!;
        const kind = random();
        const op = kind < 0.6 ? 'ack' : kind < 0.85 ? 'nack' : 'extend';
        // Taken out of `held` only once settled: a settle that failed is retried later (idempotent).
        const output = await recordSettle(recorder, client, job, op);
        if (op !== 'extend' || output !== 'ok') held.splice(at, 1);
        if (op === 'ack' && output === 'ok' && random() < 0.2) await recordSettle(recorder, client, job, 'ack'); // idempotent
      } else if (roll < 0.7) {
        const job = await recordClaim(queue, recorder, client);
        if (job !== undefined) held.push(job);
      } else if (roll < 0.9) {
        const value = nextValue();
        await recorder.record(client, { op: 'push', value }, async () => (await queue.push(value), null));
      } else {
        const values = [nextValue(), nextValue()];
        await recorder.record(client, { op: 'pushMany', values }, async () => (await queue.pushMany(values), null));
      }
    } catch {
      await pause();
    }
  }
  for (const job of held) {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await recordSettle(recorder, client, job, 'ack');
        break;
      } catch {
        await pause();
      }
    }
  }
}

/**
 * Claims and acks every job left, as `client`, after the clients are done
 * (and the faults stopped): rounds separated by `sweepWaitMs` (longer than
 * the queue's sweep interval, so nacked jobs are swept back), each opened
 * by a `final` claim; ends at a final claim that finds nothing.
 */
export async function drainQueue(queue: QueueHandle, recorder: QueueRecorder, client: number, sweepWaitMs = 1100): Promise<number> {
  let drained = 0;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, sweepWaitMs));
    let job = await recordClaim(queue, recorder, client, true);
    if (job === undefined) return drained;
    while (job !== undefined) {
      drained++;
      await recordSettle(recorder, client, job, 'ack');
      job = await recordClaim(queue, recorder, client);
    }
  }
}
