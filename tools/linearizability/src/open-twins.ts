/**
 * Open-ended twins: two open-ended operations with the same input (equal by
 * canonical JSON) — say two lost `a.moveTo(b)`s, or two lost `pop`s of one
 * deque — are interchangeable, and the search need not try both where one
 * will do. The checker linearizes such operations only in the order of
 * their invocations: an open-ended operation waits until its twin called
 * just before it (ties: the lower index) has been linearized.
 *
 * Why no verdict changes: a model's step is a function of the state and the
 * input (an open-ended operation is stepped with no observed output), so
 * twins have the same effect wherever they are put, and neither has an
 * output to match or a return that bounds it. Take any linearization, and
 * the m instants t1 ≤ … ≤ tm at which it puts the twins of one input that
 * took effect; give t1 to the earliest-called twin, t2 to the next, and so
 * on. Each still takes effect after its invocation: the k twins placed at
 * t1 … tk were each called no later than tk, so at least k twins were
 * called by tk, and the k-th earliest-called one among all of them too.
 * The states and outputs are the same, step for step: a linearization in
 * which the twins that took effect are the earliest-called ones, in call
 * order (ties: by index, the order used below). So the
 * search may look for those only, and as the rule depends only on which
 * operations are linearized, the memo's (set, state) pairs still decide
 * their futures.
 */
import type { HistoryOperation } from './history';
import { canonicalJson } from './model';

/**
 * Per operation, the index of its open-ended twin called just before it,
 * or -1: none, or the operation has a response.
 */
export function earlierTwins(operations: readonly HistoryOperation<unknown, unknown>[]): Int32Array {
  const twins = new Int32Array(operations.length).fill(-1);
  const open = operations.map((operation, index) => ({ operation, index })).filter(({ operation }) => operation.return === null);
  open.sort((x, y) => x.operation.call - y.operation.call || x.index - y.index);
  const latest = new Map<string, number>();
  for (const { operation, index } of open) {
    const key = canonicalJson(operation.input);
    const before = latest.get(key);
    if (before !== undefined) twins[index] = before;
    latest.set(key, index);
  }
  return twins;
}
