/** Opens a handle on an existing work queue for one command and always closes its store. */
import { WorkQueue } from '@mcc/queue';
import type { ServerTarget } from '../../open-command';
import { withStore } from '../../store-session';

/** Runs `action` with a bound handle on the queue `name` (its settings are read from the queue's record on first use). */
export function withQueue<T>(target: ServerTarget, name: string, action: (queue: WorkQueue) => Promise<T>): Promise<T> {
  return withStore(target, (store) => action(WorkQueue.bind(store, name)));
}
