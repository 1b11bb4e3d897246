/**
 * What a missing deque means for the queue. A queue is four deques and a
 * record (records.ts); when one of its deques turns out to be missing, the
 * deque's own error (DequeNotFoundError, or DequeCorruptedError for an
 * anchor a handle had seen vanish) names a deque the user never created,
 * and the fix it suggests — create that deque — would hide the loss behind
 * an empty one. So the queue reports it in its own terms: its record gone
 * too is a queue that does not exist (destroyed, or lost whole); its record
 * still there is a queue that lost a deque (a restarted or evicting server).
 */
import { Deque, DequeCorruptedError, DequeNotFoundError } from '@mcc/deque';
import type { QueueCore } from './core';
import { QueueCorruptedError, QueueNotFoundError } from './errors';

/** The queue's own error for `error`, if it says one of the queue's deques is missing; else `error` itself. */
export async function asQueueError(core: QueueCore, error: unknown): Promise<unknown> {
  if (!(error instanceof DequeNotFoundError || error instanceof DequeCorruptedError)) return error;
  const deque = [core.ready, core.leases, core.delayed, core.dead].find((candidate) => candidate.name === error.deque);
  if (deque === undefined) return error;
  try {
    // A corruption other than a vanished anchor (a lost chunk, a bad record) is the deque's to report.
    if (await Deque.exists(core.store, deque.name)) return error;
    const record = await core.store.get(core.keys.meta);
    return record === null
      ? new QueueNotFoundError(core.name, core.keys.meta)
      : new QueueCorruptedError(core.name, error.key ?? deque.name, `its deque "${deque.name}" is missing (lost with a restarted or evicting server?); nothing was re-created, and the jobs it held cannot be recovered from memcached`);
  } catch {
    return error; // the servers cannot tell now: the deque's error is still true
  }
}
