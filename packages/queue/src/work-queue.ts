/**
 * WorkQueue: a reliable (at-least-once) work queue on plain memcached —
 * leases, acknowledgements, redelivery, dead letters — built from four
 * deques and per-delivery markers (records.ts), with no lock server and no
 * background process.
 *
 * Design
 *
 *   push ──▶ ready ──claim──▶ lease log ──ack──▶ (marker 'a', dropped by a sweep)
 *              ▲                  │ lease expired (marker 'x') / nack (marker 'n')
 *              └──── redeliver ───┤
 *   delayed ──due──▶ ready        └──▶ dead letters (after maxDeliveries claims)
 *                      ▲                    │
 *                      └───── redrive ──────┘ (fresh job ids, deliveries from 0)
 *
 * - Every state change is one atomic step: a claim is ONE `Deque.transact`
 *   (an MCAS over the `ready` and lease-log anchors) that takes jobs from
 *   ready and appends their leases to the log, so a job is always in
 *   exactly one place — a consumer crashing right after the claim leaves a
 *   lease in the log, never a lost job. Settling a delivery (ack, nack,
 *   extend, takeover) is one `add`/CAS of its marker; moving entries out of
 *   the log (sweep.ts) is one conditional transaction. Each is the
 *   linearization point of its operation, and each either applies whole or
 *   not at all, so the queue is linearizable; a failed CAS always means
 *   another client's step succeeded, so it is lock-free.
 * - Expired leases are found by the consumers that claim (claimer.ts runs
 *   the sweeps between claim batches): the log is in claim order, so a
 *   sweep reads only its leftmost 256 entries and their markers — never the
 *   whole log, never on every claim: after every 128 leases the consumer
 *   added (collecting as it adds), every leaseMs/4 (≤ 1 s), sooner after
 *   a nack or a mostly settled window, or when ready is empty and a lease
 *   the last sweep kept may have expired since (it reports the earliest).
 * - The takeover of an expired lease races the holder's ack on the
 *   delivery's marker: whichever `add`s first wins. The holder's late ack
 *   then rejects with LeaseExpiredError — the job may run twice, which
 *   at-least-once delivery allows; an ack after the lease ended that nobody
 *   took over still succeeds.
 * - Lost replies: claims resolve through the batch id in the anchors
 *   (transact.ts); if the outcome stays unknown, the claim hands out
 *   nothing and the leases, if written, expire and are redelivered. Marker
 *   writes are retried and re-read (markers.ts), so ack is idempotent. A
 *   push whose outcome is unknown rejects with DequeOutcomeUnknownError
 *   carrying the job: pushing it again may enqueue it twice, never lose it.
 * - Clocks: lease ends and due times are ms timestamps of the process that
 *   wrote them; another consumer compares them with its own clock. The
 *   queue assumes consumers' clocks differ by at most `maxClockSkewMs`
 *   (default min(1000, leaseMs / 10)): a lease counts as expired only that
 *   long after its end, so a consumer whose clock runs ahead by less never
 *   takes over a live lease. A delayed job is due by the clock of the
 *   consumer that sweeps it, so it may become claimable up to the skew
 *   early or late. Keep clocks synchronized (NTP) well below that bound.
 * - Ordering: ready jobs come out in push order; redelivered and nacked
 *   jobs return to the front of ready (they are older than anything there);
 *   delayed jobs join the back when due, redriven dead letters (redrive.ts)
 *   when redriven.
 */
import { Deque, DequeExistsError, InvalidArgumentError, waitFor, type Store } from '@mcc/deque';
import { Claimer, type SweepCounters } from './claimer';
import { destroyQueue } from './destroy';
import { MAX_LEASE_MS, type QueueCore, type QueueSettings } from './core';
import { QueueExistsError, QueueNotFoundError } from './errors';
import { Job } from './job';
import { jobId } from './job-id';
import { parseMeta, queueKeys, validateQueueName, type DeadLetter, type QueueMeta, type ReadyItem, type TimedItem } from './records';
import { redrive, type RedrivenJob } from './redrive';
import { countLeaseLog } from './stats';
import { asQueueError } from './lost-deque';
import { queueOp, type QueueOpKind } from './tracing';

export interface WorkQueueOptions {
  /** How long a claim holds a job before another consumer may take it over, ms. Default 30000 (stored by `create`). */
  leaseMs?: number;
  /** Claims a job may have; a job whose last allowed delivery expires or is nacked goes to `deadLetters`. Default 5 (stored by `create`). */
  maxDeliveries?: number;
  /** Largest clock difference between consumers tolerated, ms (see the file comment). Default min(1000, leaseMs / 10). Per handle, not stored. */
  maxClockSkewMs?: number;
}

export interface ClaimOptions {
  /** Wait up to this many ms for a job when none is ready (polling with back-off up to 50 ms). Default 0: answer at once. */
  waitMs?: number;
  /** Stop waiting: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface QueueStats {
  /** Jobs claimable now, with those nacked (without a delay) or taken over that a sweep has yet to put back. */
  readonly ready: number;
  /** Jobs waiting for their delay, nacked ones with a delay included. */
  readonly delayed: number;
  /** Leases not yet acked, nacked or taken over (expired ones included until a consumer takes them over). */
  readonly inFlight: number;
  /** Jobs in the dead letters, with those whose last allowed delivery was nacked or taken over. */
  readonly dead: number;
}

const DEFAULT_LEASE_MS = 30_000;
const DEFAULT_MAX_DELIVERIES = 5;

export class WorkQueue<T = unknown> {
  readonly name: string;
  readonly store: Store;
  /** Jobs given up after `maxDeliveries` claims, oldest leftmost: `{ id, value, deliveries }`. An ordinary Deque. */
  readonly deadLetters: Deque<DeadLetter<T>>;
  readonly #core: QueueCore;
  readonly #claimer: Claimer<T>;
  #settings: Promise<QueueSettings> | undefined;
  /** The record as `create` wrote it (no need to read it); forgotten by `destroy`. */
  #known: QueueMeta | undefined;

  private constructor(store: Store, name: string, options: WorkQueueOptions, meta?: QueueMeta) {
    this.name = validateQueueName(name);
    this.store = store;
    validateOptions(options);
    this.#known = meta;
    const keys = queueKeys(this.name);
    this.deadLetters = Deque.bind<DeadLetter<T>>(store, keys.dead);
    // A failed read of the record (lost reply, queue not created yet) is that operation's failure only: forget it, so the next one reads again.
    const settings = (): Promise<QueueSettings> =>
      (this.#settings ??= this.#loadSettings(options).catch((error: unknown) => {
        this.#settings = undefined;
        throw error;
      }));
    this.#core = {
      name: this.name,
      store,
      keys,
      ready: Deque.bind<ReadyItem>(store, keys.ready),
      leases: Deque.bind<TimedItem>(store, keys.leases),
      delayed: Deque.bind<TimedItem>(store, keys.delayed),
      dead: this.deadLetters as Deque<DeadLetter>,
      settings,
    };
    this.#claimer = new Claimer<T>(this.#core);
  }

  /**
   * Creates a queue (its four deques and its record, which stores
   * `leaseMs` and `maxDeliveries` for handles bound later).
   * @throws QueueExistsError if the name is taken (nothing is written: a deque of the queue that
   *   was lost stays missing, and is reported by the next operation rather than re-created empty)
   */
  static async create<T = unknown>(store: Store, name: string, options: WorkQueueOptions = {}): Promise<WorkQueue<T>> {
    validateQueueName(name);
    validateOptions(options);
    const meta: QueueMeta = { v: 1, l: options.leaseMs ?? DEFAULT_LEASE_MS, m: options.maxDeliveries ?? DEFAULT_MAX_DELIVERIES };
    const keys = queueKeys(name);
    // A taken name is refused before anything is written. Opening the deques first would re-create
    // any that is missing — one lost with its server — as an empty deque, and `open` would then bind
    // to a queue whose jobs had silently vanished; bound, the missing deque is reported instead.
    if ((await store.get(keys.meta)) !== null) throw new QueueExistsError(name, keys.meta);
    // The deques first (open: a create that died half-way is completed), the record last: it makes the queue exist.
    await Promise.all([keys.ready, keys.leases, keys.delayed, keys.dead].map((deque) => Deque.open(store, deque)));
    if ((await store.add(keys.meta, meta)) === null) throw new QueueExistsError(name, keys.meta);
    return new WorkQueue<T>(store, name, options, meta);
  }

  /** A handle on an existing queue, without I/O. Options not given come from the queue's record (read on the first operation); a missing queue rejects with QueueNotFoundError then. */
  static bind<T = unknown>(store: Store, name: string, options: WorkQueueOptions = {}): WorkQueue<T> {
    return new WorkQueue<T>(store, name, options);
  }

  /** Creates the queue, or binds to it if it exists. */
  static async open<T = unknown>(store: Store, name: string, options: WorkQueueOptions = {}): Promise<WorkQueue<T>> {
    try {
      return await WorkQueue.create<T>(store, name, options);
    } catch (error) {
      if (error instanceof QueueExistsError || error instanceof DequeExistsError) return WorkQueue.bind<T>(store, name, options);
      throw error;
    }
  }

  /**
   * Enqueues a job; resolves with its id once it is in the queue (claimable
   * now, or after `delayMs`). `undefined` is refused.
   * @throws DequeOutcomeUnknownError if the reply was lost and the outcome could not be learned (the job may be in the queue)
   */
  async push(value: T, options: { delayMs?: number } = {}): Promise<string> {
    return this.#op('push', null, null, () => this.#push(value, options));
  }

  async #push(value: T, options: { delayMs?: number }): Promise<string> {
    const delayMs = options.delayMs ?? 0;
    if (!(Number.isFinite(delayMs) && delayMs >= 0)) throw new InvalidArgumentError(`push: delayMs must be a number ≥ 0, got ${String(delayMs)}`);
    checkValue(value, 0);
    await this.#core.settings();
    const id = jobId();
    if (delayMs > 0) await this.#core.delayed.append({ i: id, v: value, d: 0, u: Date.now() + delayMs });
    else await this.#core.ready.append({ i: id, v: value, d: 0 });
    return id;
  }

  /** Enqueues all values atomically (all or none, adjacent, in order); resolves with their ids. */
  async pushMany(values: Iterable<T>): Promise<string[]> {
    return this.#op('push', null, null, () => this.#pushMany(values));
  }

  async #pushMany(values: Iterable<T>): Promise<string[]> {
    const list = [...values];
    list.forEach((value, index) => checkValue(value, index));
    if (list.length === 0) return [];
    await this.#core.settings();
    const items = list.map((value): ReadyItem => ({ i: jobId(), v: value, d: 0 }));
    await this.#core.ready.extend(items);
    return items.map((item) => item.i);
  }

  /**
   * The oldest ready job, leased to the caller for `leaseMs`; `undefined`
   * if none is ready within `waitMs`. Ack it when done: otherwise it is
   * delivered again after the lease. A dropped connection while waiting is
   * waited through (until `waitMs` is over).
   */
  async claim(options: ClaimOptions = {}): Promise<Job<T> | undefined> {
    const waitMs = options.waitMs ?? 0;
    if (!(waitMs >= 0)) throw new InvalidArgumentError(`claim: waitMs must be ≥ 0, got ${String(waitMs)}`);
    // The one waiting loop of the deques, which also waits through dropped connections.
    return this.#op('claim', null, null, () => waitFor(() => this.#claimer.next(), { timeoutMs: waitMs, ...(options.signal === undefined ? {} : { signal: options.signal }) }));
  }

  /** Claims jobs as they come, until the signal aborts: `for await (const job of q.jobs({ signal })) { …; await job.ack(); }`. */
  async *jobs(options: { signal?: AbortSignal } = {}): AsyncGenerator<Job<T>, void, undefined> {
    const { signal } = options;
    while (signal?.aborted !== true) {
      let job: Job<T> | undefined;
      try {
        job = await this.#op('claim', null, null, () => waitFor(() => this.#claimer.next(), signal === undefined ? {} : { signal }));
      } catch (error) {
        if (signal?.aborted) return;
        throw error;
      }
      if (job !== undefined) yield job;
    }
  }

  /**
   * Runs one operation of this handle as a trace (`mcc:queue:op`), with a
   * missing deque of the queue reported as the queue's error (lost-deque.ts).
   */
  #op<R>(kind: QueueOpKind, jobIds: string[] | null, delivery: number | null, run: () => Promise<R>): Promise<R> {
    return queueOp(this.name, kind, jobIds, delivery, async () => {
      try {
        return await run();
      } catch (error) {
        throw await asQueueError(this.#core, error);
      }
    });
  }

  /** Counts, each from one read (not one instant across all four); `inFlight` reads the lease log and its markers. */
  stats(): Promise<QueueStats> {
    return this.#op('stats', null, null, () => this.#stats());
  }

  async #stats(): Promise<QueueStats> {
    const settings = await this.#core.settings();
    const [ready, delayed, dead, log] = await Promise.all([this.#core.ready.length(), this.#core.delayed.length(), this.deadLetters.length(), countLeaseLog(this.#core, settings)]);
    return { ready: ready + log.ready, delayed: delayed + log.delayed, inFlight: log.inFlight, dead: dead + log.dead };
  }

  /**
   * Lets an abandoned queue leave memcached by itself: its record and every
   * record of its four deques get a TTL of `seconds` (0: permanent again;
   * delivery markers expire after 30 days anyway). For a queue no longer in
   * use: later operations make the deques' anchors permanent again while
   * older chunks keep the TTL (see `Deque.expire`) — `expire(0)` first.
   */
  expire(seconds: number): Promise<void> {
    return this.#op('expire', null, null, () => this.#expire(seconds));
  }

  async #expire(seconds: number): Promise<void> {
    const core = this.#core;
    await Promise.all([core.ready, core.leases, core.delayed, core.dead].map((deque) => deque.expire(seconds)));
    await this.store.client.touch(core.keys.meta, seconds);
  }

  /**
   * Puts dead letters back into the queue: the oldest first, onto the back
   * of `ready`, in their dead-letter order; resolves with each one's new job
   * id and the id it had (`{ id, from }`). A redriven job has a fresh id and
   * starts at 0 deliveries (so it gets `maxDeliveries` claims again); its
   * value is the dead letter's.
   *
   * Atomic per batch of up to 256: each batch leaves the dead letters and
   * enters `ready` in one transaction, so a crash or a lost reply never
   * loses a dead letter or redrives one twice, and concurrent redrives share
   * them out. `max` (a whole number ≥ 1) bounds how many; by default those
   * there when it starts.
   * @throws InvalidArgumentError for a bad `max`, before any I/O
   * A redrive that fails after its first batch leaves the batches before
   * the failure redriven (in `ready` under their new ids).
   * @throws QueueNotFoundError if the queue does not exist
   * @throws QueueCorruptedError if a dead letter is not `{ id: string, value, deliveries ≥ 1 }` (q.deadLetters is an ordinary deque): its batch is left as it was
   * @throws DequeOutcomeUnknownError if the reply to a batch's transaction was lost and its outcome could not be learned: its `value` is `{ redriven, unknown }` — the jobs redriven before, and the batch that is either all in `ready` under the new ids or all still in the dead letters (never both, never neither)
   */
  redrive(options: { max?: number } = {}): Promise<RedrivenJob[]> {
    return this.#op('redrive', null, null, () => redrive(this.#core, options.max));
  }

  /**
   * Removes the queue from memcached: the markers of the deliveries in its
   * lease log, its four deques (their records and values) and its record.
   * Markers of earlier deliveries are not found and expire with their TTL
   * (30 days); a queue created again under the name never meets them.
   *
   * Stop every producer and consumer of the queue first: an operation
   * running meanwhile fails, or what it did is removed with the queue (a job
   * claimed meanwhile may still be handed out). Afterwards the name is
   * free: `WorkQueue.create` makes a new, empty queue; this handle and new
   * `bind` handles reject with QueueNotFoundError, and so do handles used
   * before it (until a queue is created again under the name, which they
   * then use). A destroy that failed half-way (the record is
   * deleted last) is finished by calling it again, from any handle.
   * @throws QueueNotFoundError if the queue does not exist
   */
  destroy(): Promise<void> {
    return this.#op('destroy', null, null, () => this.#destroy());
  }

  async #destroy(): Promise<void> {
    try {
      await destroyQueue(this.#core);
    } finally {
      // Whatever is left, this handle reads the record again before its next operation.
      this.#known = undefined;
      this.#settings = undefined;
    }
  }

  /**
   * The names of the queue's four deques (ready, lease log, delayed, dead
   * letters; docs/FORMAT.md, "Queue records"), for operators' tools:
   * `inspectDeque`, `mcc inspect`, `mcc fsck`. Reading them is safe; writing
   * to them bypasses the queue.
   */
  get dequeNames(): readonly string[] {
    const { ready, leases, delayed, dead } = this.#core.keys;
    return [ready, leases, delayed, dead];
  }

  /** What this handle's sweeps did so far: jobs redelivered after expired leases, nacks put back, dead-lettered, acked entries dropped. */
  get sweepCounters(): Readonly<SweepCounters> {
    return this.#claimer.counters;
  }

  async #loadSettings(options: WorkQueueOptions): Promise<QueueSettings> {
    let meta = this.#known;
    if (meta === undefined) {
      const key = this.#core.keys.meta;
      const entry = await this.store.get(key);
      if (entry === null) throw new QueueNotFoundError(this.name, key);
      meta = parseMeta(this.name, key, entry.value);
    }
    const leaseMs = options.leaseMs ?? meta.l;
    return { leaseMs, maxDeliveries: options.maxDeliveries ?? meta.m, maxClockSkewMs: options.maxClockSkewMs ?? Math.min(1000, Math.floor(leaseMs / 10)) };
  }
}

function validateOptions(options: WorkQueueOptions): void {
  const { leaseMs, maxDeliveries, maxClockSkewMs } = options;
  if (leaseMs !== undefined && !(Number.isSafeInteger(leaseMs) && leaseMs >= 1 && leaseMs <= MAX_LEASE_MS)) throw new InvalidArgumentError(`leaseMs must be a whole number of ms from 1 to ${MAX_LEASE_MS}, got ${String(leaseMs)}`);
  if (maxDeliveries !== undefined && !(Number.isSafeInteger(maxDeliveries) && maxDeliveries >= 1)) throw new InvalidArgumentError(`maxDeliveries must be a whole number ≥ 1, got ${String(maxDeliveries)}`);
  if (maxClockSkewMs !== undefined && !(Number.isFinite(maxClockSkewMs) && maxClockSkewMs >= 0)) throw new InvalidArgumentError(`maxClockSkewMs must be a number ≥ 0, got ${String(maxClockSkewMs)}`);
}

function checkValue(value: unknown, index: number): void {
  if (value === undefined) throw new InvalidArgumentError(`cannot push undefined (at index ${index})`);
}
