/**
 * The engine of one deque in one process: the one owner of the anchor loop.
 * Every operation — pushes, pops, peeks, moves within the deque and moves
 * to another deque — goes through it.
 *
 * Callers' operations queue up; the commit loop takes everything queued (up
 * to a batch limit), plans it against the cached anchor and publishes it
 * with ONE anchor CAS (in-process combining, as in flat combining: Hendler,
 * Incze, Shavit & Tzafrir, SPAA 2010). A lone caller costs one round trip per
 * operation: the anchor from its last CAS is still current. A move to
 * another deque runs alone, as one MCAS over both anchors (Harris, Fraser &
 * Pratt 2002). A failed CAS means another process changed the anchor: that
 * is someone else's success, so the deque is lock-free (Herlihy 1991).
 *
 *              ┌────────────── queue ◀── submit(push | pop | peek | move)
 *              ▼                          move(to another deque)
 *   ┌──▶ plan(anchor, batch) ──need──▶ fetch chunks/values ──┐
 *   │          │    ▲ stale (a record changed under us)        │
 *   │          │    └──────────────────────────────────────────┘
 *   │          │ ready, changed                 ready, unchanged (peeks, empty pops)
 *   │          ▼                                  └─▶ anchor read in this batch? settle : re-read
 *   │   write flushed chunks (add) ──stale──▶ re-read ─┐
 *   │          ▼                                        │
 *   │   CAS anchor (one deque) | MCAS (two deques)      │
 *   │          │ ok ──▶ settle batch, back-off level −1, delete emptied chunks (quiet)
 *   │          │ lost reply ──▶ batch-id window (anchor-cas.ts) ──▶ ok | lost | unknown → reject
 *   │          ▼ lost race (back-off level +1)
 *   └── retry with the anchor read behind the CAS in the same flush, after a jittered wait (none for an isolated loss)
 *
 * Contention management (backoff.ts in @mcc/mcas): after a lost race the
 * next attempt waits a random time under a ceiling that doubles with recent
 * losses in units of the measured CAS round trip (an isolated loss is
 * retried at once); the retry uses the anchor that came back behind the
 * refused CAS, so contention costs no extra round trip.
 */
import { Backoff, pause } from '@mcc/mcas';
import { isExternal, type Element } from './element';
import { casAnchor } from './anchor-cas';
import { DequeOutcomeUnknownError } from './errors';
import { batchId as nextBatchId } from './ids';
import type { Operation, Side } from './plan';
import { buffersSize, prepare, type ReadyPlan } from './prepare';
import { dropQuietly, type AnchorEntry, type DequeRecords } from './records';
import { moveBetween } from './transfer';

interface Pending {
  readonly operation: Operation | { readonly kind: 'transfer'; readonly target: DequeEngine; readonly from: Side; readonly to: Side };
  /** For pushes: the values, to carry in an outcome-unknown error. */
  readonly values: readonly unknown[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

export interface EngineLimits {
  /** Flush a buffer into a chunk beyond this many encoded bytes. */
  readonly flushBytes: number;
  /** Largest encoded anchor a batch may produce; a bigger batch is split. */
  readonly maxAnchorBytes: number;
  /** Most operations in one batch. */
  readonly maxBatch: number;
}

/** Counters of one deque's engine in this process (for benchmarks and diagnostics). */
export interface DequeStats {
  /** Operations completed (each push, pop, peek, move). */
  operations: number;
  /** Anchor CASes (and MCASes, for moves between deques) sent. */
  casAttempts: number;
  /** Those that lost to another process's change. */
  casFailures: number;
}

/** Back-off ceilings: first loss ≈ one CAS round trip, never more than this. */
const BACKOFF_MAX_MS = 50;
const INITIAL_ROUND_TRIP_MS = 0.1;
/** Read the anchor behind every CAS while a loss was this recent (in CASes): contention comes in runs. */
const READ_BEHIND_AFTER_LOSS = 16;

export class DequeEngine {
  #anchor: AnchorEntry | null = null;
  readonly #queue: Pending[] = [];
  #running = false;
  #casesSinceLoss = READ_BEHIND_AFTER_LOSS;
  readonly stats: DequeStats = { operations: 0, casAttempts: 0, casFailures: 0 };
  readonly backoff = new Backoff({ unitMs: INITIAL_ROUND_TRIP_MS, maxMs: BACKOFF_MAX_MS, immediateRetries: 1 });

  constructor(
    readonly records: DequeRecords,
    readonly limits: EngineLimits,
  ) {}

  /** Queues one operation; resolves with the element's value (pops, moves, peeks) or undefined. */
  submit(operation: Operation, values: readonly unknown[] = []): Promise<unknown> {
    return this.#enqueue({ operation, values });
  }

  /** Queues a move of one value from an end of this deque to an end of `target` (another deque). */
  moveTo(target: DequeEngine, from: Side, to: Side): Promise<unknown> {
    return this.#enqueue({ operation: { kind: 'transfer', target, from, to }, values: [] });
  }

  /** Sets (or drops) the cached anchor after a change made outside the loop (create, clear, a move). */
  invalidate(next: AnchorEntry | null = null): void {
    this.#anchor = next;
  }

  #enqueue(job: Omit<Pending, 'resolve' | 'reject'>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ ...job, resolve, reject });
      if (!this.#running) void this.#run();
    });
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        // Let the callers the last batch just settled call again first: without
        // this turn, batches alternate between one operation and all the rest.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const head = this.#queue[0]!;
        if (head.operation.kind === 'transfer') {
          this.#queue.shift();
          await this.#transfer(head.operation).then(head.resolve, head.reject);
          continue;
        }
        let size = 1;
        while (size < this.#queue.length && size < this.limits.maxBatch && this.#queue[size]!.operation.kind !== 'transfer') size++;
        const batch = this.#queue.splice(0, size);
        try {
          const leftover = await this.#commit(batch);
          if (leftover.length > 0) this.#queue.unshift(...leftover);
        } catch (error) {
          for (const pending of batch) pending.reject(error as Error);
        }
      }
    } finally {
      this.#running = false;
    }
  }

  /** Commits a prefix of `batch` (all of it unless the anchor would grow too big); returns the rest. */
  async #commit(batch: Pending[]): Promise<Pending[]> {
    const records = this.records;
    const batchId = nextBatchId();
    let fresh = false;
    let size = batch.length;
    for (;;) {
      if (this.#anchor === null) {
        this.#anchor = await records.readAnchor();
        fresh = true;
      }
      const anchor = this.#anchor;
      const operations = batch.slice(0, size).map((pending) => pending.operation as Operation);
      const plan = await prepare(records, anchor, operations, batchId, this.limits.flushBytes);
      if (plan === null) {
        this.#anchor = null;
        continue;
      }
      if (!plan.changed) {
        // Only peeks and pops of an empty deque: true only if the anchor is current, so read it once.
        if (fresh) {
          this.#settle(batch.slice(0, size), plan);
          return batch.slice(size);
        }
        this.#anchor = null;
        continue;
      }
      if (size > 1 && buffersSize(plan.anchor.l) + buffersSize(plan.anchor.r) > this.limits.maxAnchorBytes) {
        size = Math.ceil(size / 2);
        continue;
      }
      if (!(await records.writeFlushes(anchor, plan.flushes))) {
        this.#anchor = null;
        continue;
      }
      this.stats.casAttempts++;
      const started = performance.now();
      const outcome = await casAnchor(records, anchor, plan.anchor, batchId, this.#casesSinceLoss < READ_BEHIND_AFTER_LOSS);
      if (outcome.applied === 'unknown') return [...this.#outcomeUnknown(plan, batch.slice(0, size), outcome.cause), ...batch.slice(size)];
      if (outcome.applied) {
        this.#casesSinceLoss++;
        // The back-off unit follows the CAS round trip (not a lost reply's recovery).
        if (outcome.replied) this.backoff.unitMs = 0.8 * this.backoff.unitMs + 0.2 * (performance.now() - started);
        this.backoff.success();
        this.#anchor = outcome.entry;
        this.#settle(batch.slice(0, size), plan);
        records.deleteEmptiedChunks(plan.emptiedChunks);
        return batch.slice(size);
      }
      this.stats.casFailures++;
      this.#casesSinceLoss = 0;
      await pause(this.backoff.failure());
      // Retry with the anchor read behind the refused CAS, even after a wait: if it changed
      // meanwhile, the next refusal brings the fresh one back at the same cost as reading it
      // now would, and if it did not, the retry wins in one round trip. (Read during this
      // call, it is also a valid linearization point for peeks and empty pops.)
      fresh = outcome.current !== null;
      this.#anchor = outcome.current;
    }
  }

  /** A move to another deque: one MCAS over both anchors, retried with back-off. */
  async #transfer(move: { target: DequeEngine; from: Side; to: Side }): Promise<unknown> {
    const result = await moveBetween(this.records, move.target.records, move.from, move.to, this.limits.flushBytes, {
      attempted: () => this.stats.casAttempts++,
      lost: async () => {
        this.stats.casFailures++;
        await pause(this.backoff.failure());
      },
      won: () => this.backoff.success(),
    });
    // The MCAS released both anchors with CAS ids this process does not know.
    this.invalidate();
    move.target.invalidate();
    this.stats.operations++;
    if (result === undefined) return undefined;
    // The element moves as it is: a large value keeps its item, now referenced by the other deque.
    return this.#valueOf(result, 'keep');
  }

  /** Rejects each caller with an error carrying its own value; returns the peeks (read-only: simply asked again). */
  #outcomeUnknown(plan: ReadyPlan, batch: readonly Pending[], cause: unknown): Pending[] {
    const again: Pending[] = [];
    batch.forEach((pending, index) => {
      const operation = pending.operation;
      const element = plan.popped[index];
      if (operation.kind === 'peek') again.push(pending);
      else if (operation.kind === 'push') pending.reject(new DequeOutcomeUnknownError(this.records.name, 'push', pending.values.length === 1 ? pending.values[0] : pending.values, cause));
      else {
        const value = element === undefined ? undefined : this.#valueOf(element, 'keep');
        pending.reject(new DequeOutcomeUnknownError(this.records.name, operation.kind === 'move' ? 'move' : 'pop', value, cause));
      }
    });
    return again;
  }

  #settle(batch: readonly Pending[], plan: ReadyPlan): void {
    this.stats.operations += batch.length;
    // Values first, all of them: one batch may peek, move and pop the same large value.
    const values = batch.map((_, index) => {
      const element = plan.popped[index];
      return element === undefined ? undefined : this.#valueOf(element, 'peek');
    });
    batch.forEach((pending, index) => {
      const element = plan.popped[index];
      if (element !== undefined && isExternal(element)) {
        this.records.takeValue(element[1]);
        // Only a pop takes an element out of the deque; a move within it (a rotation) and a peek leave it referenced.
        if (pending.operation.kind === 'pop') dropQuietly(this.records.store, element[1]);
      }
      pending.resolve(values[index]);
    });
  }

  /** The value of an element: 'peek' leaves a fetched large value cached, 'keep' drops it from the cache. */
  #valueOf(element: Element, mode: 'peek' | 'keep'): unknown {
    if (!isExternal(element)) return this.records.decodeInline(element[1]);
    return mode === 'keep' ? this.records.takeValue(element[1]) : this.records.peekValue(element[1]);
  }
}
