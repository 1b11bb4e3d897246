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
 * Cross-process combining (combine.ts, the rules; announce.ts): while this
 * process meets contention it *announces* its pushes and pops in the
 * deque's log instead (one flush: append, read log, read anchor); the same
 * loop then plans every unapplied frame of the log — any process's — ahead
 * of its own local operations, and one CAS applies them all. Frames that
 * someone else applied are settled from the results in the anchor.
 *
 * Contention management (backoff.ts in @mcc/mcas): after a lost race the
 * next attempt waits a random time under a ceiling that doubles with recent
 * losses in units of the measured CAS round trip (an isolated loss is
 * retried at once); the retry uses the anchor that came back behind the
 * refused CAS, so contention costs no extra round trip.
 */
import { Backoff, pause } from '@mcc/mcas';
import type { OpResult } from './anchor';
import { isExternal, type Element } from './element';
import { casAnchor } from './anchor-cas';
import { Announcer, frameFor, recordedResult } from './announce';
import { combinedAnchor, resultOf, sliceLog, type LogSlice } from './combine';
import { DequeOutcomeUnknownError } from './errors';
import { batchId as nextBatchId } from './ids';
import { MAX_LOG_BYTES, parseFrames, type Frame, type LogRead } from './log';
import type { Operation, Side } from './plan';
import { buffersSize, prepare } from './prepare';
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
  /** Announce operations for cross-process combining while contended (combine.ts). */
  readonly combine: boolean;
}

/** One announcement: this process's frames in log `q` not yet settled, by op id. */
interface Round {
  readonly q: string;
  readonly open: Map<string, Pending>;
  /** The log as last read (after the append); refreshed when the anchor applied past it. */
  log: LogRead | null;
  /** The reply to the append was lost: a frame of ours absent from the current log must be fenced off by a switch. */
  uncertain: boolean;
}

/** Counters of one deque's engine in this process (for benchmarks and diagnostics). */
export interface DequeStats {
  /** Operations completed (each push, pop, peek, move). */
  operations: number;
  /** Anchor CASes (and MCASes, for moves between deques) sent. */
  casAttempts: number;
  /** Those that lost to another process's change. */
  casFailures: number;
  /** Pushes and pops this process announced in the log (combining), re-announcements included. */
  announced: number;
  /** Announced operations (any process's) applied by this process's CASes. */
  combined: number;
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
  /** Length of the log as last read (announcers go direct beyond MAX_LOG_BYTES). */
  #lastLogBytes: number | null = null;
  readonly stats: DequeStats = { operations: 0, casAttempts: 0, casFailures: 0, announced: 0, combined: 0 };
  readonly #announcer: Announcer;
  readonly backoff = new Backoff({ unitMs: INITIAL_ROUND_TRIP_MS, maxMs: BACKOFF_MAX_MS, immediateRetries: 1 });

  constructor(
    readonly records: DequeRecords,
    readonly limits: EngineLimits,
  ) {
    this.#announcer = new Announcer(records);
  }

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
          const leftover = this.#contended() ? await this.#announce(batch) : await this.#commit(batch, null, null);
          if (leftover.length > 0) this.#queue.unshift(...leftover);
        } catch (error) {
          for (const pending of batch) pending.reject(error as Error);
        }
      }
      // Idle: send the acks of results read (nothing else is going out to carry them).
      const q = this.#anchor?.value.q;
      if (q !== undefined) this.#announcer.flushAcks(q, nextBatchId());
    } finally {
      this.#running = false;
    }
  }

  /** Whether to announce rather than CAS directly: combining on, and a CAS lost recently. */
  #contended(): boolean {
    return this.limits.combine && this.#casesSinceLoss < READ_BEHIND_AFTER_LOSS && this.#anchor?.value.q !== undefined;
  }

  /** Announces the batch's pushes and pops in one flush, then runs the loop as their combiner. */
  async #announce(batch: Pending[]): Promise<Pending[]> {
    const q = this.#anchor!.value.q!;
    const round: Round = { q, open: new Map(), log: null, uncertain: false };
    const local: Pending[] = [];
    const frames: Frame[] = [];
    const ack = this.#announcer.ackFrame(nextBatchId());
    if (ack !== null) frames.push(ack);
    for (const pending of batch) {
      const id = nextBatchId();
      const frame = frameFor(id, pending.operation as Operation);
      if (frame === null) local.push(pending);
      else {
        frames.push(frame);
        round.open.set(id, pending);
      }
    }
    if (round.open.size === 0 || (this.#lastLogBytes ?? 0) > MAX_LOG_BYTES) return this.#commit(batch, null, null);
    this.stats.announced += round.open.size;
    const sent = await this.#announcer.send(q, frames);
    this.#anchor = sent.anchor;
    if (sent.appended === 'missing' || sent.appended === 'refused') {
      // Not announced. A missing current log is replaced by the direct CAS.
      return this.#commit(batch, null, sent.appended === 'missing' ? q : null);
    }
    round.log = sent.log;
    round.uncertain = sent.appended === 'lost';
    try {
      return await this.#commit(local, round, null);
    } catch (error) {
      // Announced: it may have been applied (its result waits in the anchor) or may still be.
      for (const pending of round.open.values()) pending.reject(this.#unknown(pending, undefined, error));
      throw error;
    }
  }

  /**
   * Commits a prefix of `batch` (all of it unless the anchor would grow too
   * big); returns the rest. With a round, also the combiner of its frames:
   * every unapplied frame of the log is planned ahead of `batch`, until the
   * round's own frames are settled (applied by this CAS or by another's).
   * `replaceLog`: the log that was found missing (switch away from it).
   */
  async #commit(batch: Pending[], round: Round | null, replaceLog: string | null): Promise<Pending[]> {
    const records = this.records;
    const batchId = nextBatchId();
    let fresh = this.#anchor !== null && round !== null; // read in the announcing flush
    let size = batch.length;
    let frameLimit = this.limits.maxBatch;
    for (;;) {
      if (this.#anchor === null) {
        this.#anchor = await records.readAnchor();
        fresh = true;
      }
      const anchor = this.#anchor;
      this.#announcer.observe(anchor);
      let slice: LogSlice | null = null;
      let fence = false;
      if (round !== null) {
        await this.#absorb(round, anchor);
        if (round.open.size > 0 && anchor.value.q !== round.q) {
          // Our log was replaced and our results are not in `x`: those frames are dead. Announce again.
          const again = [...round.open.values()];
          round.open.clear();
          return [...again, ...batch];
        }
        if (round.open.size === 0 && batch.length === 0) return [];
        if (round.open.size > 0) {
          const k = anchor.value.k!;
          if (round.log === null || (round.log.bytes !== null && round.log.bytes.length < k)) round.log = await this.#announcer.log.read(round.q);
          slice = sliceLog(records.store, anchor.value, round.log, frameLimit);
          this.#lastLogBytes = round.log.bytes?.length ?? 0;
          if (round.uncertain && !slice.switchLog) fence = this.#ownFrameMissing(round, anchor);
        }
      }
      const framed = slice?.operations.length ?? 0;
      const operations = [...(slice?.operations ?? []), ...batch.slice(0, size).map((pending) => pending.operation as Operation)];
      const plan = await prepare(records, anchor, operations, batchId, this.limits.flushBytes);
      if (plan === null) {
        this.#anchor = null;
        continue;
      }
      const q = anchor.value.q;
      const switching =
        fence || slice?.switchLog === true || (replaceLog !== null && q === replaceLog) || (q === undefined && this.limits.combine && this.#casesSinceLoss < READ_BEHIND_AFTER_LOSS);
      const drops = q === undefined ? [] : this.#announcer.dropsFor(anchor);
      const combining = (slice?.frames.length ?? 0) > 0 || drops.length > 0 || switching;
      if (!plan.changed && !combining) {
        // Only peeks and pops of an empty deque: true only if the anchor is current, so read it once.
        if (fresh) {
          this.#settle(batch.slice(0, size), plan.popped);
          return batch.slice(size);
        }
        this.#anchor = null;
        continue;
      }
      if (buffersSize(plan.anchor.l) + buffersSize(plan.anchor.r) > this.limits.maxAnchorBytes && (framed > 1 || size > 1)) {
        if (framed > 1) frameLimit = Math.ceil(framed / 2);
        else size = Math.ceil(size / 2);
        continue;
      }
      const results: OpResult[] = (slice?.opFrames ?? []).map((frame, index) => resultOf(frame, plan.popped[index]));
      const next = combining ? combinedAnchor(plan.anchor, anchor.value, slice, results, drops, switching ? this.#announcer.spareLog() : null) : plan.anchor;
      if (!(await records.writeFlushes(anchor, plan.flushes))) {
        this.#anchor = null;
        continue;
      }
      this.stats.casAttempts++;
      const started = performance.now();
      const readBehind = round !== null || this.#casesSinceLoss < READ_BEHIND_AFTER_LOSS;
      const logBehind = round !== null && round.open.size > 0 ? () => this.#announcer.log.read(round.q) : undefined;
      const outcome = await casAnchor(records, anchor, next, batchId, readBehind, logBehind);
      if (outcome.applied === 'unknown') {
        if (switching) this.#announcer.spareUsed();
        const again = this.#outcomeUnknown(plan.popped.slice(framed), batch.slice(0, size), outcome.cause);
        if (round === null || round.open.size === 0) return [...again, ...batch.slice(size)];
        // Our frames' fate is in the anchor either way (applied: their results are in `x`).
        batch = [...again, ...batch.slice(size)];
        size = batch.length;
        this.#anchor = null;
        continue;
      }
      if (outcome.applied) {
        this.#casesSinceLoss++;
        // The back-off unit follows the CAS round trip (not a lost reply's recovery).
        if (outcome.replied) this.backoff.unitMs = 0.8 * this.backoff.unitMs + 0.2 * (performance.now() - started);
        this.backoff.success();
        this.#anchor = outcome.entry;
        if (switching) {
          this.#announcer.spareUsed();
          if (q !== undefined) this.#announcer.log.drop(q); // nobody reads the old log again
        }
        this.stats.combined += framed;
        this.#settle(batch.slice(0, size), plan.popped.slice(framed));
        records.deleteEmptiedChunks(plan.emptiedChunks);
        if (round !== null) await this.#settleOwnFrames(round, slice?.opFrames ?? [], results);
        if (round === null || round.open.size === 0) return batch.slice(size);
        batch = batch.slice(size);
        size = batch.length;
        fresh = true;
        continue;
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
      if (round !== null && outcome.log != null) round.log = outcome.log;
    }
  }

  /** Settles the round's frames whose results the anchor records (applied by any CAS). */
  async #absorb(round: Round, anchor: AnchorEntry): Promise<void> {
    const found: [string, Pending, OpResult][] = [];
    for (const [id, pending] of round.open) {
      const result = recordedResult(anchor, id);
      if (result !== undefined) found.push([id, pending, result]);
    }
    for (const [id] of found) round.open.delete(id);
    await Promise.all(found.map(([id, pending, result]) => this.#deliver(id, pending, result)));
  }

  /** After our own CAS: the round's frames it applied are settled from the plan (their results are also in `x`). */
  async #settleOwnFrames(round: Round, frames: readonly Frame[], results: readonly OpResult[]): Promise<void> {
    const settled: Promise<void>[] = [];
    frames.forEach((frame, index) => {
      const pending = round.open.get(frame.id);
      if (pending === undefined) return;
      round.open.delete(frame.id);
      settled.push(this.#deliver(frame.id, pending, results[index]!));
    });
    await Promise.all(settled);
  }

  /** Resolves an announced operation with its result, then acks it (a large popped value is fetched first: `x` was its last reference). */
  async #deliver(id: string, pending: Pending, result: OpResult): Promise<void> {
    try {
      const value = await this.#announcer.valueOf(result);
      this.stats.operations++;
      this.#announcer.acks.add(id);
      pending.resolve(value);
    } catch (error) {
      pending.reject(this.#unknown(pending, undefined, error));
    }
  }

  /** After a lost reply to the append: is a frame of ours missing from the current log (so a late append could still land)? */
  #ownFrameMissing(round: Round, anchor: AnchorEntry): boolean {
    const bytes = round.log?.bytes;
    if (bytes == null) return true;
    const frames = parseFrames(this.records.store, bytes, anchor.value.k!);
    if (typeof frames === 'string') return true;
    const present = new Set(frames.map(({ frame }) => frame.id));
    return [...round.open.keys()].some((id) => !present.has(id));
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
  #outcomeUnknown(popped: readonly (Element | undefined)[], batch: readonly Pending[], cause: unknown): Pending[] {
    const again: Pending[] = [];
    batch.forEach((pending, index) => {
      if (pending.operation.kind === 'peek') again.push(pending);
      else pending.reject(this.#unknown(pending, popped[index], cause));
    });
    return again;
  }

  /** The outcome-unknown error of one caller, carrying its value(s). */
  #unknown(pending: Pending, element: Element | undefined, cause: unknown): Error {
    const operation = pending.operation;
    if (operation.kind === 'push') return new DequeOutcomeUnknownError(this.records.name, 'push', pending.values.length === 1 ? pending.values[0] : pending.values, cause);
    const value = element === undefined ? undefined : this.#valueOf(element, 'keep');
    return new DequeOutcomeUnknownError(this.records.name, operation.kind === 'move' ? 'move' : 'pop', value, cause);
  }

  #settle(batch: readonly Pending[], popped: readonly (Element | undefined)[]): void {
    this.stats.operations += batch.length;
    // Values first, all of them: one batch may peek, move and pop the same large value.
    const values = batch.map((_, index) => {
      const element = popped[index];
      return element === undefined ? undefined : this.#valueOf(element, 'peek');
    });
    batch.forEach((pending, index) => {
      const element = popped[index];
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
