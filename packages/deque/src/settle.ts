/**
 * Settling callers: resolving each with its value (decoding inline values,
 * taking fetched large ones, deleting a popped value's item), the values of
 * announced operations from their recorded results (then acked), and the
 * outcome-unknown errors that carry a caller's value when a reply was lost.
 */
import type { OpResult } from './anchor';
import type { Announcer } from './announce';
import { isExternal, type Element } from './element';
import { DequeOutcomeUnknownError } from './errors';
import type { Operation, Side } from './plan';
import { dropQuietly, type DequeRecords } from './records';

/** A caller's operation waiting in the engine. */
export interface Pending {
  readonly operation: Operation | { readonly kind: 'transfer'; readonly target: unknown; readonly from: Side; readonly to: Side };
  /** For pushes: the values, to carry in an outcome-unknown error. */
  readonly values: readonly unknown[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
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

export class Settler {
  constructor(
    readonly records: DequeRecords,
    readonly stats: DequeStats,
    readonly announcer: Announcer,
  ) {}

  async deliverAll(found: readonly (readonly [string, Pending, OpResult])[]): Promise<void> {
    await Promise.all(found.map(([id, pending, result]) => this.deliver(id, pending, result)));
  }

  /** Resolves an announced operation with its result, then acks it (a large popped value is fetched first: `x` was its last reference). */
  async deliver(id: string, pending: Pending, result: OpResult): Promise<void> {
    try {
      const value = await this.announcer.valueOf(result);
      this.stats.operations++;
      this.announcer.acks.add(id);
      pending.resolve(value);
    } catch (error) {
      pending.reject(this.unknown(pending, undefined, error));
    }
  }

  /** Rejects each caller with an error carrying its own value; returns the peeks (read-only: simply asked again). */
  outcomeUnknown(popped: readonly (Element | undefined)[], batch: readonly Pending[], cause: unknown): Pending[] {
    const again: Pending[] = [];
    batch.forEach((pending, index) => {
      if (pending.operation.kind === 'peek') again.push(pending);
      else pending.reject(this.unknown(pending, popped[index], cause));
    });
    return again;
  }

  /** The outcome-unknown error of one caller, carrying its value(s). */
  unknown(pending: Pending, element: Element | undefined, cause: unknown): Error {
    const operation = pending.operation;
    if (operation.kind === 'push') return new DequeOutcomeUnknownError(this.records.name, 'push', pending.values.length === 1 ? pending.values[0] : pending.values, cause);
    const value = element === undefined ? undefined : this.valueOf(element, 'keep');
    return new DequeOutcomeUnknownError(this.records.name, operation.kind === 'move' ? 'move' : 'pop', value, cause);
  }

  settle(batch: readonly Pending[], popped: readonly (Element | undefined)[]): void {
    this.stats.operations += batch.length;
    // Values first, all of them: one batch may peek, move and pop the same large value.
    const values = batch.map((_, index) => {
      const element = popped[index];
      return element === undefined ? undefined : this.valueOf(element, 'peek');
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
  valueOf(element: Element, mode: 'peek' | 'keep'): unknown {
    if (!isExternal(element)) return this.records.decodeInline(element[1]);
    return mode === 'keep' ? this.records.takeValue(element[1]) : this.records.peekValue(element[1]);
  }
}
