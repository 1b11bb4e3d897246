/**
 * The combining engine of one deque in one process.
 *
 * Callers' operations queue up; one commit loop takes everything queued (up
 * to a batch limit), plans it against the cached anchor and publishes it
 * with ONE anchor CAS. So many concurrent callers in a process cost one
 * round trip per batch rather than fighting each other over the anchor, and
 * a lone caller costs one round trip per operation (the anchor from its last
 * CAS is still current). A failed CAS means another process changed the
 * anchor: re-read it (helping any MCAS in flight) and plan again — each
 * failure is someone else's success, so the deque is lock-free.
 *
 *   queue ──▶ plan(anchor, batch) ──need──▶ fetch chunks/values ──▶ plan …
 *                   │ ready
 *                   ▼
 *            write flushed chunks (add) ──▶ CAS anchor ──ok──▶ settle batch, delete garbage (quiet)
 *                                               │ mismatch
 *                                               └──▶ re-read anchor ──▶ plan …
 */
import { ConnectionClosedError, TimeoutError } from '@mcc/mcas';
import { RECENT_BATCHES, type Anchor } from './anchor';
import { elementSize, isExternal, type Element } from './element';
import { DequeOutcomeUnknownError } from './errors';
import { batchId as nextBatchId } from './ids';
import { planBatch, type Operation, type Plan } from './plan';
import type { AnchorEntry, DequeRecords } from './records';

interface Pending {
  readonly operation: Operation;
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

type Ready = Extract<Plan, { kind: 'ready' }>;

/** Counters of one deque's engine in this process (for benchmarks and diagnostics). */
export interface DequeStats {
  /** Operations completed (each push, pop, move). */
  operations: number;
  /** Anchor CASes sent. */
  casAttempts: number;
  /** Anchor CASes that lost to another process's change. */
  casFailures: number;
}

export class DequeEngine {
  #anchor: AnchorEntry | null = null;
  readonly #queue: Pending[] = [];
  #running = false;
  readonly stats: DequeStats = { operations: 0, casAttempts: 0, casFailures: 0 };

  constructor(
    readonly records: DequeRecords,
    readonly limits: EngineLimits,
  ) {}

  /** Queues one operation; resolves with the popped value (pops) or undefined. */
  submit(operation: Operation, values: readonly unknown[] = []): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ operation, values, resolve, reject });
      if (!this.#running) void this.#run();
    });
  }

  /** The anchor entry from this process's last read or CAS (may be stale). */
  get cachedAnchor(): AnchorEntry | null {
    return this.#anchor;
  }

  /** Drops the cached anchor (after a move or a clear changed it). */
  invalidate(next: AnchorEntry | null = null): void {
    this.#anchor = next;
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#queue.length > 0) {
        // Let the callers the last batch just settled call again first: without
        // this turn, batches alternate between one operation and all the rest.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const batch = this.#queue.splice(0, this.limits.maxBatch);
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
      const operations = batch.slice(0, size).map((pending) => pending.operation);
      const plan = planBatch(anchor.value, operations, records.cacheFor(anchor.cas), {
        batchId,
        flushBytes: this.limits.flushBytes,
        sizeOf: buffersSize,
      });
      if (plan.kind === 'need') {
        if (!(await records.fetch(anchor, plan.chunks, plan.values))) this.#anchor = null;
        continue;
      }
      if (!plan.changed) {
        // Only pops of an empty deque: true only if the anchor is current, so read it once.
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
      const next = await this.#casAnchor(anchor, plan, batch.slice(0, size), batchId);
      if (next === null) {
        this.stats.casFailures++;
        this.#anchor = await records.readAnchor();
        fresh = true;
        continue;
      }
      this.#anchor = next;
      this.#settle(batch.slice(0, size), plan);
      this.records.deleteEmptiedChunks(plan.emptiedChunks);
      return batch.slice(size);
    }
  }

  /**
   * The anchor CAS. Returns the new anchor entry, or null if it did not
   * apply. A lost reply is resolved by re-reading: the anchor remembers the
   * ids of its last batches.
   */
  async #casAnchor(anchor: AnchorEntry, plan: Ready, batch: readonly Pending[], batchId: string): Promise<AnchorEntry | null> {
    try {
      return (await this.records.store.cas(anchor, plan.anchor, { kind: anchorKind(anchor) })) as AnchorEntry | null;
    } catch (error) {
      if (!(error instanceof ConnectionClosedError || error instanceof TimeoutError)) throw error;
      const outcome = await this.#resolveLostReply(anchor, batchId).catch(() => 'unknown' as const);
      if (outcome === 'unknown') throw this.#outcomeUnknown(plan, batch, error);
      if (outcome === 'not-applied') return null;
      return outcome;
    }
  }

  async #resolveLostReply(anchor: AnchorEntry, batchId: string): Promise<AnchorEntry | 'not-applied' | 'unknown'> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.records.readAnchor();
      if (current.value.o.includes(batchId)) return current;
      if (current.cas === anchor.cas) {
        // Unchanged: our CAS did not apply yet. Bump the anchor so it never can.
        const fence: Anchor = { ...current.value, s: current.value.s + 1, o: [...current.value.o, nextBatchId()].slice(-RECENT_BATCHES) };
        const fenced = await this.records.store.cas(current, fence, { kind: anchorKind(current) });
        if (fenced !== null) {
          this.#anchor = fenced as AnchorEntry;
          return 'not-applied';
        }
        continue;
      }
      // Changed by others: had ours applied, its id would still be in the window.
      if (current.value.s - anchor.value.s <= RECENT_BATCHES - 1) return 'not-applied';
      return 'unknown';
    }
    return 'unknown';
  }

  #outcomeUnknown(plan: Ready, batch: readonly Pending[], cause: unknown): Error {
    // Each caller gets an error carrying its own value; the first one is thrown for the batch.
    const errors = batch.map((pending, index) => {
      const element = plan.popped[index];
      return pending.operation.kind === 'pop'
        ? new DequeOutcomeUnknownError(this.records.name, 'pop', element === undefined ? undefined : this.#valueOf(element, false), cause)
        : new DequeOutcomeUnknownError(this.records.name, 'push', pending.values.length === 1 ? pending.values[0] : pending.values, cause);
    });
    batch.forEach((pending, index) => pending.reject(errors[index]!));
    return errors[0]!;
  }

  #settle(batch: readonly Pending[], plan: Ready): void {
    this.stats.operations += batch.length;
    batch.forEach((pending, index) => {
      const element = plan.popped[index];
      pending.resolve(element === undefined ? undefined : this.#valueOf(element, true));
    });
  }

  #valueOf(element: Element, take: boolean): unknown {
    if (!isExternal(element)) return this.records.decodeInline(element[1]);
    const value = take ? this.records.takeValue(element[1]) : this.records.peekValue(element[1]);
    if (take) void this.records.store.deleteQuiet(element[1]).catch(() => {});
    return value;
  }
}

/** Encoded size of a list of elements. */
export function buffersSize(elements: readonly Element[]): number {
  let total = 5;
  for (const element of elements) total += elementSize(element);
  return total;
}

/** Keep the anchor's record kind (an MCAS release may have written it as a plain value). */
function anchorKind(anchor: AnchorEntry): number {
  return anchor.kind;
}
