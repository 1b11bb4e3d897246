/**
 * The demo's workloads, run inside worker processes: each role runs
 * `concurrency` loops over one store until told to stop (or, for consumers,
 * until the queue is drained).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Deque, type Store } from '@mcc/deque';
import { mcasUpdate } from '@mcc/mcas';
import { WorkQueue } from '@mcc/queue';
import { describeError } from '../format';
import type { WorkerAssignment, WorkerCounters, WorkerResult } from './messages';

/** What the loops read to know when to end; set by the worker on `stop` / `drain`. */
export interface LoopControl {
  stopRequested: boolean;
  drainRequested: boolean;
}

/** Counters shared by a role's loops, plus the errors they met. */
export class RoleStats implements WorkerCounters {
  ops = 0;
  retries = 0;
  errors = 0;
  readonly firstErrors: string[] = [];

  record(error: unknown): void {
    this.errors++;
    if (this.firstErrors.length < 5) {
      const { code, message } = describeError(error);
      this.firstErrors.push(`${code}: ${message.split('\n')[0] ?? ''}`);
    }
  }
}

/** The role-specific part of a {@link WorkerResult}. */
export type RoleOutput = Partial<Pick<WorkerResult, 'produced' | 'uncertain' | 'received' | 'malformed' | 'orderViolations' | 'orderExamples' | 'jobsPushed' | 'jobsAcked' | 'jobsNacked'>>;

export type RoleRunner = (store: Store, assignment: WorkerAssignment, control: LoopControl, stats: RoleStats) => Promise<RoleOutput>;

const EMPTY_BACKOFF_MAX_MS = 20;
const BACKLOG_CHECK_EVERY = 32;
const INITIAL_BALANCE = 1000;
/** The jobs worker nacks 1 job in this many on its first delivery, so some are redelivered. */
const NACK_EVERY = 25;
/** How long a drain's claim waits for a job before it looks at the queue's counts again. */
const DRAIN_CLAIM_WAIT_MS = 100;

function loops<T>(count: number, body: (loop: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, loop) => body(loop)));
}

/**
 * Holds the queue's backlog under `backlogLimit`, for all producer processes
 * together (P loops in all), without a read before every append.
 *
 * A loop appends only on the strength of its own last length read, its
 * "admission": a read showing at most half the limit admits `every` appends
 * (P × every ≤ half the limit), a read above half admits one, and no read
 * above `limit − P × every` admits any. Why that bounds the backlog: take the
 * latest admission before any moment; every append after it is covered by
 * its loop's last admission, which is no later, so there are at most
 * P × every of them, on top of a length that admission saw as at most
 * `limit − P × every`. Each loop keeps its own admission: a length another
 * loop read says nothing about how many appends this loop has made since.
 * (The orchestrator makes the limit at least twice the producer loops.)
 */
class BacklogGate {
  readonly #every: number;
  readonly #ceiling: number;
  /** Per loop: the length its admission read, and the appends it has made on it. */
  readonly #admitted: { length: number; appends: number }[];

  constructor(
    private readonly queue: Deque,
    private readonly assignment: WorkerAssignment,
  ) {
    const { backlogLimit, producerLoops } = assignment;
    this.#every = Math.max(1, Math.min(BACKLOG_CHECK_EVERY, Math.floor(backlogLimit / 2 / producerLoops)));
    this.#ceiling = Math.max(0, backlogLimit - producerLoops * this.#every);
    this.#admitted = Array.from({ length: assignment.concurrency }, () => ({ length: Infinity, appends: Infinity })); // read before the first append
  }

  /** Resolves when loop `loop` may append one item (or stop was requested). */
  async admit(control: LoopControl, loop: number): Promise<void> {
    const admitted = this.#admitted[loop]!;
    const budget = admitted.length <= this.assignment.backlogLimit / 2 ? this.#every : 1;
    if (admitted.appends < budget) {
      admitted.appends++;
      return;
    }
    for (;;) {
      const length = await this.queue.length();
      if (control.stopRequested) return;
      if (length <= this.#ceiling) {
        admitted.length = length;
        admitted.appends = 1;
        return;
      }
      await sleep(5);
    }
  }
}

/** Appends `{p, i}` (p: the loop's stream, i: 0, 1, 2, …) to the queue, pausing while its backlog is at the limit. */
export const runProducer: RoleRunner = async (store, assignment, control, stats) => {
  const queue = Deque.bind(store, assignment.names.queue);
  const gate = new BacklogGate(queue, assignment);
  const produced = new Array<number>(assignment.concurrency).fill(0);
  const uncertain: [number, number][] = [];
  await loops(assignment.concurrency, async (loop) => {
    const p = assignment.index * assignment.concurrency + loop;
    for (let i = 0; !control.stopRequested; ) {
      await gate.admit(control, loop);
      if (control.stopRequested) break;
      try {
        await queue.append({ p, i });
      } catch (error) {
        stats.record(error);
        if ((error as { code?: unknown }).code === 'MCC_ERR_DEQUE_OUTCOME_UNKNOWN') uncertain.push([p, i]);
        break; // a gap in i would read as a loss: this stream ends here
      }
      i++;
      produced[loop] = i;
      stats.ops++;
    }
  });
  return { produced, uncertain };
};

function isItem(value: unknown): value is { p: number; i: number } {
  if (typeof value !== 'object' || value === null) return false;
  const { p, i } = value as Record<string, unknown>;
  return Number.isSafeInteger(p) && Number.isSafeInteger(i);
}

/**
 * Pops from the left (FIFO with the producers' appends). Each loop checks
 * that the items of each stream come out in the order they went in. After
 * `drain`, a loop ends at the first empty pop that started after the
 * drain began (an earlier one may predate the producers' last appends).
 */
export const runConsumer: RoleRunner = async (store, assignment, control, stats) => {
  const queue = Deque.bind(store, assignment.names.queue);
  const received = new Map<number, number[]>();
  let malformed = 0;
  let orderViolations = 0;
  const orderExamples: string[] = [];
  await loops(assignment.concurrency, async (loop) => {
    const last = new Map<number, number>();
    let backoff = 1;
    for (;;) {
      const draining = control.drainRequested;
      let value: unknown;
      try {
        value = await queue.popLeft();
      } catch (error) {
        stats.record(error);
        return;
      }
      if (value === undefined) {
        if (draining) return;
        stats.retries++;
        await sleep(backoff);
        backoff = Math.min(backoff * 2, EMPTY_BACKOFF_MAX_MS);
        continue;
      }
      backoff = 1;
      stats.ops++;
      if (!isItem(value)) {
        malformed++;
        continue;
      }
      const previous = last.get(value.p);
      if (previous !== undefined && value.i <= previous) {
        orderViolations++;
        if (orderExamples.length < 5) orderExamples.push(`consumer ${assignment.index}.${loop} popped p=${value.p} i=${value.i} after i=${previous}`);
      }
      last.set(value.p, value.i);
      let list = received.get(value.p);
      if (list === undefined) received.set(value.p, (list = []));
      list.push(value.i);
    }
  });
  return { received: [...received], malformed, orderViolations, orderExamples };
};

/**
 * Moves items between the two shuttle deques with `moveTo` (an MCAS over
 * both anchors). Each loop alternates direction, starting left→right on
 * even loops, so the deques stay about as full as they started.
 */
export const runShuttle: RoleRunner = async (store, assignment, control, stats) => {
  const left = Deque.bind(store, assignment.names.shuttleLeft);
  const right = Deque.bind(store, assignment.names.shuttleRight);
  await loops(assignment.concurrency, async (loop) => {
    let towardsRight = loop % 2 === 0;
    while (!control.stopRequested) {
      const [from, to] = towardsRight ? [left, right] : [right, left];
      let moved: unknown;
      try {
        moved = await from.moveTo(to);
      } catch (error) {
        stats.record(error);
        return;
      }
      if (moved === undefined) {
        stats.retries++;
        await sleep(1);
      } else {
        stats.ops++;
      }
      towardsRight = !towardsRight;
    }
  });
  return {};
};

function randomIndex(count: number): number {
  return Math.floor(Math.random() * count);
}

function balance(value: unknown, key: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new Error(`account ${key} holds ${JSON.stringify(value)}, not a whole number`);
  return value;
}

/**
 * Transfers random amounts between random accounts with a two-entry MCAS
 * through `mcasUpdate`: read both, write both new balances only if neither
 * changed; on a lost race it backs off and retries the same transfer.
 */
export const runBank: RoleRunner = async (store, assignment, control, stats) => {
  const accounts = assignment.names.accounts;
  await loops(assignment.concurrency, async () => {
    while (!control.stopRequested) {
      const fromIndex = randomIndex(accounts.length);
      const toIndex = (fromIndex + 1 + randomIndex(accounts.length - 1)) % accounts.length;
      const [fromKey, toKey] = [accounts[fromIndex]!, accounts[toIndex]!];
      const amount = 1 + randomIndex(10);
      let attempts = 0;
      try {
        const applied = await mcasUpdate(store, [fromKey, toKey], (entries) => {
          attempts++;
          const from = entries.get(fromKey);
          const to = entries.get(toKey);
          if (from === undefined || to === undefined) throw new Error(`account ${from === undefined ? fromKey : toKey} is missing`);
          const fromBalance = balance(from.value, fromKey);
          if (fromBalance < amount) return undefined; // not enough money: pick another transfer
          return [[fromKey, fromBalance - amount], [toKey, balance(to.value, toKey) + amount]];
        });
        if (applied) stats.ops++;
        stats.retries += attempts - 1;
      } catch (error) {
        stats.record(error);
        return;
      }
    }
  });
  return {};
};

/**
 * A work queue's at-least-once cycle (`@mcc/queue`): each loop pushes a job,
 * claims the oldest ready job (any loop's) and acks it — or nacks it, for 1
 * job in NACK_EVERY on its first delivery, so that it comes back with
 * delivery 2. After `stop` the loops stop pushing and drain the queue:
 * claim and ack until nothing is ready, delayed or in flight.
 */
export const runJobs: RoleRunner = async (store, assignment, control, stats) => {
  const queue = WorkQueue.bind<{ loop: number; i: number }>(store, assignment.names.workQueue);
  const pushed: string[] = [];
  const acked: [string, number][] = [];
  const nacked: [string, number][] = [];
  const settle = async (job: Awaited<ReturnType<typeof queue.claim>> & object): Promise<void> => {
    if (job.deliveries === 1 && job.value.i % NACK_EVERY === NACK_EVERY - 1) {
      await job.nack();
      nacked.push([job.id, job.deliveries]);
      stats.retries++;
      return;
    }
    await job.ack();
    acked.push([job.id, job.deliveries]);
    stats.ops++;
  };
  const drained = async (): Promise<boolean> => {
    const { ready, delayed, inFlight } = await queue.stats();
    return ready + delayed + inFlight === 0;
  };
  await loops(assignment.concurrency, async (loop) => {
    try {
      for (let i = 0; !control.stopRequested; i++) {
        pushed.push(await queue.push({ loop, i }));
        const job = await queue.claim();
        if (job !== undefined) await settle(job);
      }
      for (;;) {
        const job = await queue.claim({ waitMs: DRAIN_CLAIM_WAIT_MS });
        if (job !== undefined) await settle(job);
        else if (await drained()) return;
      }
    } catch (error) {
      stats.record(error);
    }
  });
  return { jobsPushed: pushed, jobsAcked: acked, jobsNacked: nacked };
};

/** The balance every account starts with. */
export { INITIAL_BALANCE };

export const ROLE_RUNNERS: Readonly<Record<WorkerAssignment['role'], RoleRunner>> = {
  producer: runProducer,
  consumer: runConsumer,
  shuttle: runShuttle,
  bank: runBank,
  jobs: runJobs,
};
