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
 *   announcing (combine: true, after a lost CAS; round.ts decides each step):
 *     append frames ∥ read log ∥ read anchor (one flush) ──▶ the loop above, with the round:
 *       own results in x → settle · log replaced → announce again · others ahead in line → re-read (≤ 2)
 *       · else plan [unapplied log frames…, own local ops…] → one CAS (won: settle all; lost: no wait)
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
import { Backoff, isLostReply, pause } from '@mcc/mcas';
import type { OpResult } from './anchor';
import { casAnchor } from './anchor-cas';
import { Announcer, frameFor } from './announce';
import { combinedAnchor, resultOf, sliceLog, type LogSlice } from './combine';
import { batchId as nextBatchId } from './ids';
import { MAX_LOG_BYTES, type Frame } from './log';
import { Round } from './round';
import type { Operation, Side } from './plan';
import { buffersSize, prepare } from './prepare';
import type { AnchorEntry, DequeRecords } from './records';
import { Settler, type DequeStats, type Pending } from './settle';
import { moveBetween } from './transfer';

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

/** Back-off ceilings: first loss ≈ one CAS round trip, never more than this. */
const BACKOFF_MAX_MS = 50;
const INITIAL_ROUND_TRIP_MS = 0.1;
/** Read the anchor behind every CAS while a loss was this recent (in CASes): contention comes in runs. */
const READ_BEHIND_AFTER_LOSS = 16;
/** Announcing stops after this many announcements in a row met nobody else (no loss, no one else's frame). */
const QUIET_ROUNDS = 8;
/** With combining on, a process winning direct CASes looks at the log every this many wins (helping, below). */
const LOG_LOOK_EVERY = 4;
/** Attempts to learn the fate of announced frames when reads fail, before reporting their outcome unknown. */
const LOOK_AGAIN = 4;
const LOOK_AGAIN_MS = 10;
/** Idle this long with results read but not acked: ack them on their own. */
const IDLE_ACK_MS = 100;

export type { DequeStats } from './settle';

export class DequeEngine {
  #anchor: AnchorEntry | null = null;
  readonly #queue: Pending[] = [];
  #running = false;
  #casesSinceLoss = READ_BEHIND_AFTER_LOSS;
  /**
   * Announcing (combining) mode: entered on a lost CAS, left after QUIET_ROUNDS
   * announcements that met nobody. Every contending process must announce for
   * one CAS to apply many processes' operations, so the mode is sticky.
   */
  #announcing = false;
  #quietRounds = 0;
  /** Direct CASes won since this process last looked at the log (combining on). */
  #winsSinceLogLook = 0;
  /** Whether the current announcement met another process (a loss, a frame of theirs, ours applied by them). */
  #metOthers = false;
  #idleTimer: NodeJS.Timeout | null = null;
  /** Length of the log as last read (announcers go direct beyond MAX_LOG_BYTES). */
  #lastLogBytes: number | null = null;
  readonly stats: DequeStats = { operations: 0, casAttempts: 0, casFailures: 0, announced: 0, combined: 0 };
  readonly #announcer: Announcer;
  readonly #settler: Settler;
  readonly backoff = new Backoff({ unitMs: INITIAL_ROUND_TRIP_MS, maxMs: BACKOFF_MAX_MS, immediateRetries: 1 });

  constructor(
    readonly records: DequeRecords,
    readonly limits: EngineLimits,
  ) {
    this.#announcer = new Announcer(records);
    this.#settler = new Settler(records, this.stats, this.#announcer);
  }

  /** Queues one operation; resolves with the element's value (pops, moves, peeks) or undefined. */
  submit(operation: Operation, values: readonly unknown[] = []): Promise<unknown> {
    return this.#enqueue({ operation, values });
  }

  /** Queues a move of one value from an end of this deque to an end of `target` (another deque). */
  moveTo(target: DequeEngine, from: Side, to: Side): Promise<unknown> {
    return this.#enqueue({ operation: { kind: 'transfer', target, from, to }, values: [] });
  }

  /** Sets (or drops) the cached anchor after a change made outside the loop (create, clear, a move, a transaction). */
  invalidate(next: AnchorEntry | null = null): void {
    this.#anchor = next;
  }

  /**
   * The cached anchor, while this deque looks uncontended (no lost race in
   * its last READ_BEHIND_AFTER_LOSS CASes, its own or transactions'): what a
   * transaction may start from instead of reading it. Null otherwise — under
   * contention it is mostly stale, and a stale start costs a failed MCAS.
   */
  knownAnchor(): AnchorEntry | null {
    return this.#casesSinceLoss >= READ_BEHIND_AFTER_LOSS ? this.#anchor : null;
  }

  /** A transaction's (M)CAS over this anchor won or lost: the contention signal of `knownAnchor` (and of reading behind a CAS). */
  noteRace(won: boolean): void {
    this.#casesSinceLoss = won ? this.#casesSinceLoss + 1 : 0;
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
          await this.#transfer(head.operation as { target: DequeEngine; from: Side; to: Side }).then(head.resolve, head.reject);
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
    } finally {
      this.#running = false;
    }
    // Acks ride on the next announcement, or the next CAS of ours removes them; a process
    // that goes idle sends them on their own after a while.
    if (this.#announcer.acks.size > 0 && this.#idleTimer === null) {
      this.#idleTimer = setTimeout(() => {
        this.#idleTimer = null;
        const q = this.#anchor?.value.q;
        if (!this.#running && q !== undefined) this.#announcer.flushAcks(q, nextBatchId());
      }, IDLE_ACK_MS);
      this.#idleTimer.unref();
    }
  }

  /** Whether to announce rather than CAS directly: in announcing mode (a CAS lost recently), with a log to announce in. */
  #contended(): boolean {
    return this.#announcing && this.#anchor?.value.q !== undefined && (this.#lastLogBytes ?? 0) <= MAX_LOG_BYTES;
  }

  /** Announces the batch's pushes and pops in one flush, then runs the loop as their combiner. */
  async #announce(batch: Pending[]): Promise<Pending[]> {
    const q = this.#anchor!.value.q!;
    const local: Pending[] = [];
    const frames: Frame[] = [];
    const ack = this.#announcer.ackFrame(nextBatchId());
    if (ack !== null) frames.push(ack);
    const ids = new Map<string, Pending>();
    for (const pending of batch) {
      const id = nextBatchId();
      const frame = frameFor(id, pending.operation as Operation);
      if (frame === null) local.push(pending);
      else {
        frames.push(frame);
        ids.set(id, pending);
      }
    }
    if (ids.size === 0) return this.#commit(batch, null, null);
    const round = new Round<Pending>(q, frames[0]!.id);
    for (const [id, pending] of ids) round.open.set(id, pending);
    this.stats.announced += ids.size;
    const sent = await this.#announcer.send(q, frames);
    this.#anchor = sent.anchor;
    if (sent.appended === 'missing' || sent.appended === 'refused') {
      // Not announced. A missing current log is replaced by the direct CAS.
      return this.#commit(batch, null, sent.appended === 'missing' ? q : null);
    }
    round.log = sent.log;
    round.locate(this.records.store, sent.anchor?.value.q === q ? sent.anchor.value.k! : 0);
    this.#metOthers = false;
    for (let attempt = 1; ; attempt++) {
      try {
        const leftover = await this.#commit(local, round, null);
        this.#quietRounds = this.#metOthers ? 0 : this.#quietRounds + 1;
        if (this.#quietRounds >= QUIET_ROUNDS) this.#announcing = false;
        return leftover;
      } catch (error) {
        // A read failed (a dropped connection, a timeout): the frames' fate is still in the anchor
        // and the log, so look again a few times — only without local operations, which the failed
        // loop may have settled already and must not be planned twice.
        if (local.length === 0 && attempt < LOOK_AGAIN && isLostReply(error)) {
          this.#anchor = null;
          await pause(LOOK_AGAIN_MS * 2 ** attempt); // long enough for a reconnect
          continue;
        }
        // Announced: it may have been applied (its result waits in the anchor) or may still be.
        for (const pending of round.open.values()) pending.reject(this.#settler.unknown(pending, undefined, error));
        throw error;
      }
    }
  }

  /**
   * Commits a prefix of `batch` (all of it unless the anchor would grow too
   * big); returns the rest. With a round, also the combiner of its frames:
   * every unapplied frame of the log is planned ahead of `batch`, until the
   * round's own frames are settled (applied by this CAS or by another's).
   * `replaceLog`: the log that was found missing (switch away from it).
   */
  async #commit(batch: Pending[], round: Round<Pending> | null, replaceLog: string | null): Promise<Pending[]> {
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
        const absorbed = round.absorb(anchor);
        if (absorbed.length > 0) this.#metOthers = true; // applied by another process's CAS
        await this.#settler.deliverAll(absorbed);
        const step = round.step(anchor);
        if (step === 'dead') {
          // Our log was replaced and our results are not in `x`: those frames never applied and never will. Announce again.
          const again = [...round.open.values()];
          round.open.clear();
          return [...again, ...batch];
        }
        if (step === 'settled' && batch.length === 0) return [];
        if (step === 'wait') {
          // Someone ahead in line combines next: read what it did (the anchor only: if we must combine
          // after all, the log as read with our append holds our frames and everything before them).
          this.#anchor = await records.readAnchor();
          fresh = true;
          continue;
        }
        if (step === 'combine') {
          const k = anchor.value.k!;
          if (round.log === null || (round.log.bytes !== null && round.log.bytes.length < k)) round.log = await this.#announcer.log.read(round.q);
          slice = sliceLog(records.store, anchor.value, round.log, frameLimit);
          this.#lastLogBytes = round.log.bytes?.length ?? 0;
          // A frame of ours not in the log from k on (the reply to our append was lost and it never
          // landed — or may land late): fence the log off with a switch; the frame is then dead.
          if (!slice.switchLog && !round.allIn(slice.opFrames)) fence = round.ownFrameMissing(records.store, k);
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
        fence || slice?.switchLog === true || (replaceLog !== null && q === replaceLog) || (q === undefined && this.#announcing);
      const drops = q === undefined ? [] : this.#announcer.dropsFor(anchor);
      const combining = (slice?.frames.length ?? 0) > 0 || drops.length > 0 || switching;
      if (!plan.changed && !combining) {
        // Only peeks and pops of an empty deque: true only if the anchor is current, so read it once.
        if (fresh) {
          this.#settler.settle(batch.slice(0, size), plan.popped);
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
        const again = this.#settler.outcomeUnknown(plan.popped.slice(framed), batch.slice(0, size), outcome.cause);
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
        if (round === null) this.#lookForAnnouncements(outcome.entry);
        if (switching) {
          this.#announcer.spareUsed();
          if (q !== undefined) this.#announcer.log.drop(q); // nobody reads the old log again
        }
        this.stats.combined += framed;
        if (round !== null && framed > round.open.size) this.#metOthers = true; // we applied others' frames too
        this.#settler.settle(batch.slice(0, size), plan.popped.slice(framed));
        records.deleteEmptiedChunks(plan.emptiedChunks);
        if (round !== null) await this.#settler.deliverAll(round.applied(slice?.opFrames ?? [], results));
        if (round === null || round.open.size === 0) return batch.slice(size);
        batch = batch.slice(size);
        size = batch.length;
        fresh = true;
        continue;
      }
      this.stats.casFailures++;
      this.#casesSinceLoss = 0;
      this.#metOthers = true;
      if (this.limits.combine) this.#announcing = true;
      if (round === null && this.limits.combine && outcome.current !== null && outcome.current.value.q !== undefined && (this.#lastLogBytes ?? 0) <= MAX_LOG_BYTES) {
        // Retrying directly would leave this batch one behind the winner for good: announce it
        // instead (#run sends what is returned through #announce). The refusal was definite, so
        // nothing of the batch applied.
        this.#anchor = outcome.current;
        return batch;
      }
      // A combiner that lost looks at the anchor that won first (it may hold our results): no wait.
      const wait = this.backoff.failure();
      if (round === null || round.open.size === 0) await pause(wait);
      // Retry with the anchor read behind the refused CAS, even after a wait: if it changed
      // meanwhile, the next refusal brings the fresh one back at the same cost as reading it
      // now would, and if it did not, the retry wins in one round trip. (Read during this
      // call, it is also a valid linearization point for peeks and empty pops.)
      fresh = outcome.current !== null;
      this.#anchor = outcome.current;
      if (round !== null && outcome.log != null) round.log = outcome.log;
    }
  }

  /**
   * Helping, so a loser is not left one behind for good (docs/DESIGN.md, "The
   * flat total is one process at a time"): a process that keeps winning direct
   * CASes with combining on looks at the log every LOG_LOOK_EVERY wins (a read
   * sent with its next requests, not awaited), and if someone announced since
   * the anchor's `k`, it announces too — it stops CASing directly, so the
   * first announcer's combining CAS finds the anchor unchanged and applies
   * every frame it read, and this process's own frames follow by the usual
   * rules (round.ts). Nothing here writes: it only chooses the mode.
   */
  #lookForAnnouncements(anchor: AnchorEntry): void {
    const q = anchor.value.q;
    if (!this.limits.combine || this.#announcing || q === undefined) return;
    if (++this.#winsSinceLogLook < LOG_LOOK_EVERY) return;
    this.#winsSinceLogLook = 0;
    const consumed = anchor.value.k ?? 0;
    this.#announcer.log.read(q).then(
      (log) => {
        if (log.bytes !== null && log.bytes.length > consumed && this.#anchor?.value.q === q) this.#announcing = true;
      },
      () => undefined, // a hint only: the next look tries again
    );
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
    return this.#settler.valueOf(result, 'keep');
  }
}
