/**
 * `mcc:queue:op` — a `node:diagnostics_channel` TracingChannel
 * (`tracing:mcc:queue:op:start`, `…:end`, `…:asyncStart`, `…:asyncEnd`,
 * `…:error`) around the public operations of a {@link WorkQueue} and its
 * jobs, with a {@link QueueOpMessage}. The deque operations (`mcc:deque:op`)
 * and protocol commands they cause run inside it, in the same async context.
 *
 * While nobody subscribes the operation runs as it is (one property read).
 */
import { tracingChannel } from 'node:diagnostics_channel';
import { DequeOutcomeUnknownError } from '@mcc/deque';
import { LeaseExpiredError } from './errors';
import type { RedrivenJob } from './redrive';
import type { SweepReport } from './sweep';

export type QueueOpKind = 'push' | 'claim' | 'ack' | 'nack' | 'extend' | 'sweep' | 'stats' | 'expire' | 'redrive' | 'destroy';

/** The context of one `mcc:queue:op` trace. */
export interface QueueOpMessage {
  /** The queue's name. */
  readonly queue: string;
  readonly kind: QueueOpKind;
  /** push: the ids pushed (known once it succeeded); redrive: the new ids of the jobs redriven (once it succeeded); claim: the id claimed; ack, nack, extend: the job's; sweep, stats, expire, destroy: none. */
  jobIds: string[];
  /** claim, ack, nack, extend: which delivery of the job (1 on the first claim); else null. */
  delivery: number | null;
  /** `'ok'`; `'empty'` for a claim that found no job; `'expired'` for LeaseExpiredError; `'unknown'` for DequeOutcomeUnknownError; `'error'` otherwise. */
  outcome: 'ok' | 'empty' | 'expired' | 'unknown' | 'error';
  /** sweep: what the sweep of the lease log did. */
  sweep?: SweepReport;
  /** Set by the channel: the result, or the error the caller gets. */
  result?: unknown;
  error?: unknown;
}

export const queueOpChannel = tracingChannel<unknown, QueueOpMessage>('mcc:queue:op');

/** Runs one operation as a trace; callers check `queueOpChannel.hasSubscribers` first. */
export function traceQueueOp<R>(queue: string, kind: QueueOpKind, jobIds: string[], delivery: number | null, run: () => Promise<R>): Promise<R> {
  const message: QueueOpMessage = { queue, kind, jobIds, delivery, outcome: 'error' };
  return queueOpChannel.tracePromise(async () => {
    try {
      const result = await run();
      learn(message, result);
      return result;
    } catch (error) {
      message.outcome = error instanceof LeaseExpiredError ? 'expired' : error instanceof DequeOutcomeUnknownError ? 'unknown' : 'error';
      throw error;
    }
  }, message);
}

/** What a result tells: the ids pushed or redriven, the job claimed, the sweep's report. */
function learn(message: QueueOpMessage, result: unknown): void {
  message.outcome = 'ok';
  if (message.kind === 'push') message.jobIds = typeof result === 'string' ? [result] : [...(result as string[])];
  else if (message.kind === 'redrive') message.jobIds = (result as readonly RedrivenJob[]).map((job) => job.id);
  else if (message.kind === 'sweep') message.sweep = result as SweepReport;
  else if (message.kind === 'claim') {
    const job = result as { id: string; deliveries: number } | undefined;
    if (job === undefined) message.outcome = 'empty';
    else {
      message.jobIds = [job.id];
      message.delivery = job.deliveries;
    }
  }
}

/** `run`, traced while someone subscribes. */
export function queueOp<R>(queue: string, kind: QueueOpKind, jobIds: string[] | null, delivery: number | null, run: () => Promise<R>): Promise<R> {
  return queueOpChannel.hasSubscribers ? traceQueueOp(queue, kind, jobIds ?? [], delivery, run) : run();
}
