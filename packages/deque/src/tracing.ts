/**
 * `mcc:deque:op` — a `node:diagnostics_channel` TracingChannel
 * (`tracing:mcc:deque:op:start`, `…:end`, `…:asyncStart`, `…:asyncEnd`,
 * `…:error`) around the public operations of a {@link Deque}, with a
 * {@link DequeOpMessage}. The protocol commands (and, for moves between
 * deques, the MCAS) run inside it, in the same async context.
 *
 * While nobody subscribes the operation runs as it is (one property read).
 */
import { tracingChannel } from 'node:diagnostics_channel';
import type { DequeStats } from './engine';
import { DequeOutcomeUnknownError } from './errors';

export type DequeOpKind = 'push' | 'pop' | 'peek' | 'move' | 'length' | 'range' | 'clear' | 'expire' | 'destroy' | 'transact';

/** The context of one `mcc:deque:op` trace. */
export interface DequeOpMessage {
  /** The deque's name (`transact`: the first step's; all of them in `deques`). */
  readonly deque: string;
  /** `transact` only: the names of every deque it spans, in step order. */
  readonly deques?: readonly string[];
  readonly kind: DequeOpKind;
  /** The end it works on (`move`: the end it pops from); null where there is none. */
  readonly side: 'left' | 'right' | null;
  /** Values it pushes (`append` 1, `extend` n); 1 for pop, peek and move; `transact`: the values taken plus those pushed (set when it ends); 0 for the rest. */
  batch: number;
  /**
   * Anchor CASes (MCASes, for moves between deques) this deque's engine sent
   * while the operation was in flight — its round trips on the anchor.
   * Operations combined into one batch (concurrent calls in this process)
   * share them, so each of them counts the same CASes.
   */
  casAttempts: number;
  /** Of those, the ones that lost to another change and were retried. */
  casRetries: number;
  /** `'ok'`; `'empty'` for a pop, peek or move that found nothing; `'unknown'` for DequeOutcomeUnknownError (and a transact whose outcome is 'unknown'); `'aborted'` for a transact its decide aborted; `'error'` otherwise. */
  outcome: 'ok' | 'empty' | 'unknown' | 'aborted' | 'error';
  /** Set by the channel: the result, or the error the caller gets. */
  result?: unknown;
  error?: unknown;
}

export const dequeOpChannel = tracingChannel<unknown, DequeOpMessage>('mcc:deque:op');

const TAKES = new Set<DequeOpKind>(['pop', 'peek', 'move']);

/** Runs one operation as a trace; callers check `dequeOpChannel.hasSubscribers` first. */
export function traceDequeOp<R>(deque: string, stats: Readonly<DequeStats>, kind: DequeOpKind, side: 'left' | 'right' | null, batch: number, run: () => Promise<R>): Promise<R> {
  const message: DequeOpMessage = { deque, kind, side, batch, casAttempts: 0, casRetries: 0, outcome: 'error' };
  return dequeOpChannel.tracePromise(async () => {
    const attempts = stats.casAttempts;
    const failures = stats.casFailures;
    const counted = (): void => {
      message.casAttempts = stats.casAttempts - attempts;
      message.casRetries = stats.casFailures - failures;
    };
    try {
      const result = await run();
      counted();
      message.outcome = TAKES.has(kind) && result === undefined ? 'empty' : 'ok';
      return result;
    } catch (error) {
      counted();
      message.outcome = error instanceof DequeOutcomeUnknownError ? 'unknown' : 'error';
      throw error;
    }
  }, message);
}

/**
 * Runs one `Deque.transact` as a trace: kind 'transact', `deques` its steps'
 * names, `batch` the values taken and pushed, `casAttempts`/`casRetries` its
 * (M)CAS attempts and lost races. Callers check `hasSubscribers` first.
 */
export function traceTransact<R extends { readonly status: string }>(deques: readonly string[], run: (counts: { attempts: number; lost: number }) => Promise<R>, batchOf: (result: R) => number): Promise<R> {
  const message: DequeOpMessage = { deque: deques[0] ?? '', deques, kind: 'transact', side: null, batch: 0, casAttempts: 0, casRetries: 0, outcome: 'error' };
  return dequeOpChannel.tracePromise(async () => {
    const counts = { attempts: 0, lost: 0 };
    try {
      const result = await run(counts);
      message.batch = batchOf(result);
      message.outcome = result.status === 'committed' ? 'ok' : result.status === 'aborted' ? 'aborted' : 'unknown';
      return result;
    } finally {
      message.casAttempts = counts.attempts;
      message.casRetries = counts.lost;
    }
  }, message);
}
