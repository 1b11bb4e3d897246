/**
 * Claiming, combined per queue handle: every `claim()` waiting in this
 * process joins the next batch, and one `Deque.transact` takes up to that
 * many jobs from `ready`'s left end and appends their leases to the lease
 * log — one MCAS over two anchors for the whole batch, the linearization
 * point of each claim in it. The same loop runs the sweeps (sweep.ts,
 * delayed.ts) when they are due, so they need no timer and no background
 * process: consumers that claim are the ones that recover expired leases.
 *
 * A lost reply on the claim transaction whose outcome cannot be learned
 * hands out nothing: if it did apply, the leases are in the log with no
 * holder, expire, and are redelivered (deliveries + 1). Nothing is lost.
 */
import { Deque, isLostReply, McasContentionError } from '@mcc/deque';
import type { QueueCore, QueueSettings } from './core';
import { sweepDelayed } from './delayed';
import { Job } from './job';
import { parseItem, type TimedItem } from './records';
import { sweepLeases, WINDOW, type SweepReport } from './sweep';
import { queueOp } from './tracing';

interface Waiter<T> {
  readonly resolve: (job: Job<T> | undefined) => void;
  readonly reject: (error: Error) => void;
}

/** Most claims in one transaction. */
const MAX_BATCH = 64;
/** Delayed jobs are looked at this often (ms) at most: their lateness bound when consumers are claiming. */
const DELAYED_SWEEP_MS = 25;
/** A full window of delayed jobs none of which is due is rotated at most this often (ms). */
const DELAYED_ROTATE_MS = 1000;
/** An empty `ready` triggers a lease sweep at most this often (ms). */
const EMPTY_SWEEP_MS = 10;
/**
 * A sweep asked for (a full window of settled entries, a nack) waits at least
 * this long after the last one: every sweep writes the lease log's anchor,
 * which fails the claims in flight in every process — sweeping before every
 * claim batch under load would cost more than the garbage it removes.
 */
const SOON_SWEEP_GAP_MS = 20;

/** Counters of what this handle's sweeps did (for tests and load reports). */
export interface SweepCounters {
  redelivered: number;
  nacked: number;
  dead: number;
  dropped: number;
}

export class Claimer<T> {
  readonly #waiting: Waiter<T>[] = [];
  #running = false;
  #lastSweep = 0;
  #lastDelayedSweep = 0;
  #lastRotation = 0;
  #sweepSoon = false;
  /** Leases this handle appended to the log since its last sweep: each process collects about as many entries as it adds. */
  #claimedSinceSweep = 0;
  /** From the last sweep: no lease it saw can be taken over before this (ms epoch). */
  #nextExpiry = 0;
  readonly counters: SweepCounters = { redelivered: 0, nacked: 0, dead: 0, dropped: 0 };

  constructor(readonly core: QueueCore) {}

  /** One claim attempt, combined with the others waiting: a job, or undefined if none was ready. */
  next(): Promise<Job<T> | undefined> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      if (!this.#running) void this.#run();
    });
  }

  /** Asks for a lease sweep before the next claim (after a nack, so the job comes back promptly). */
  sweepSoon(): void {
    this.#sweepSoon = true;
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#waiting.length > 0) {
        await new Promise<void>((resolve) => setImmediate(resolve)); // let more callers join
        const batch = this.#waiting.splice(0, MAX_BATCH);
        try {
          const jobs = await this.#claimBatch(batch.length);
          batch.forEach((waiter, index) => waiter.resolve(jobs[index]));
        } catch (error) {
          for (const waiter of batch) waiter.reject(error as Error);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  async #claimBatch(count: number): Promise<Job<T>[]> {
    const settings = await this.core.settings();
    const interval = Math.min(1000, Math.max(10, settings.leaseMs / 4));
    const sinceSweep = Date.now() - this.#lastSweep;
    const keepUp = this.#claimedSinceSweep >= WINDOW / 2;
    if (keepUp || (this.#sweepSoon && sinceSweep >= SOON_SWEEP_GAP_MS) || sinceSweep >= interval) await this.#sweep(settings);
    if (Date.now() - this.#lastDelayedSweep >= DELAYED_SWEEP_MS) {
      this.#lastDelayedSweep = Date.now();
      const rotate = this.#lastDelayedSweep - this.#lastRotation >= DELAYED_ROTATE_MS;
      if (rotate) this.#lastRotation = this.#lastDelayedSweep;
      await bestEffort(sweepDelayed(this.core, rotate), 0);
    }
    const jobs = await this.#take(count, settings);
    // Nothing ready: perhaps leases expired — if the last sweep left any that may have by now.
    const now = Date.now();
    if (jobs.length > 0 || now - this.#lastSweep < EMPTY_SWEEP_MS || (now < this.#nextExpiry && !this.#sweepSoon)) return jobs;
    const report = await this.#sweep(settings);
    return report.redelivered + report.nacked > 0 ? this.#take(count, settings) : [];
  }

  async #sweep(settings: QueueSettings): Promise<SweepReport> {
    this.#sweepSoon = false;
    this.#claimedSinceSweep = 0;
    this.#lastSweep = Date.now();
    const report = await bestEffort(queueOp(this.core.name, 'sweep', null, null, () => sweepLeases(this.core, settings)), { seen: 0, dropped: 0, redelivered: 0, nacked: 0, dead: 0, settled: 0, nextExpiry: 0 });
    this.#nextExpiry = report.nextExpiry;
    this.counters.redelivered += report.redelivered;
    this.counters.nacked += report.nacked;
    this.counters.dead += report.dead;
    this.counters.dropped += report.dropped;
    // A full window of settled entries: the log has more behind it; keep up.
    if (report.seen === WINDOW && report.settled >= WINDOW / 2) this.#sweepSoon = true;
    return report;
  }

  async #take(count: number, settings: QueueSettings): Promise<Job<T>[]> {
    const core = this.core;
    const outcome = await Deque.transact([{ deque: core.ready, take: { side: 'left', count } }, { deque: core.leases }], (taken) => {
      if (taken[0]!.length === 0) return undefined;
      const now = Date.now();
      const leases = taken[0]!.map((value): TimedItem => {
        const item = parseItem(core.name, core.keys.ready, value, false);
        return { i: item.i, v: item.v, d: item.d + 1, u: now + settings.leaseMs };
      });
      return { pushes: [{ step: 1, side: 'right', values: leases.map((lease) => ({ value: lease })) }], result: leases };
    });
    if (outcome.status !== 'committed') return [];
    this.#claimedSinceSweep += outcome.result.length;
    return outcome.result.map((lease) => new Job<T>(core, lease, () => this.sweepSoon()));
  }
}

/**
 * Sweeps are retried by the next claim anyway: a lost reply in one, or a
 * sweep that kept losing its transaction to other writers of the deques
 * (McasContentionError: `pnpm load queue`'s producers, pushing 16,000–19,000 jobs/s
 * onto `ready`, made a sweep lose 1,000 attempts in a row and the consumer
 * that ran it fail), is not the claimer's failure — the leases stay in the
 * log, and the next sweep finds them.
 */
async function bestEffort<R>(work: Promise<R>, fallback: R): Promise<R> {
  try {
    return await work;
  } catch (error) {
    if (isLostReply(error) || error instanceof McasContentionError) return fallback;
    throw error;
  }
}
