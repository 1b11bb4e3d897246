/**
 * A rule of the deque model's feasibility test (see deque-feasibility.ts):
 * a value still to be seen must not be gone for good.
 *
 * Take a value v pushed once in the history, and a pending operation with a
 * response that returned it (a pop, peek or moveTo). Elements go from deque
 * to deque only by moves, which keep them; they leave for good only by a
 * pop (with a response or open-ended) or a clear. So once v's push has
 * taken effect, if v is in no deque it was removed for good, and as no
 * other push brings it back, that pending operation can never find it at an
 * end: the state has no linearizable future.
 *
 * Only the steps that remove an element for good can make it false: a pop
 * with a response that returned v (then v's other observers must all have
 * taken effect), and an open-ended pop or a clear (which may have taken
 * anything: every watched value is looked for). The other rules let an
 * open-ended pop take an element some pending operation still returns —
 * the search found out only when it came to that operation, possibly after
 * every placement of every other open-ended operation in between.
 */
import type { HistoryOperation } from '../history';
import { canonicalJson } from '../model';
import type { DequeInput, DequeOutput, DequeState } from './deque-model';

const OBSERVERS: ReadonlySet<DequeInput['op']> = new Set(['pop', 'popLeft', 'peek', 'peekLeft', 'moveTo']);

/** A value pushed once that some operation with a response returned. */
interface Watched {
  readonly key: string;
  readonly push: number;
  readonly observers: number[];
}

/** The rule for `operations` (those searched); `pushedTwice` are the canonical JSON of values pushed more than once. */
export function dequeLostValues<V>(
  operations: readonly HistoryOperation<DequeInput<V>, DequeOutput<V>>[],
  pushedTwice: ReadonlySet<string>,
): (state: DequeState<V>, pending: (op: number) => boolean, last: number) => boolean {
  const pushOf = new Map<string, number>();
  operations.forEach(({ input }, op) => {
    const values = input.op === 'extend' || input.op === 'extendLeft' ? input.values : input.op === 'append' || input.op === 'appendLeft' ? [input.value] : [];
    for (const value of values) pushOf.set(canonicalJson(value), op);
  });
  const byKey = new Map<string, Watched>();
  operations.forEach(({ input, return: returned, output }, op) => {
    if (returned === null || !OBSERVERS.has(input.op) || output === null || output === undefined) return;
    const key = canonicalJson(output);
    const push = pushOf.get(key);
    if (push === undefined || pushedTwice.has(key)) return;
    const watched = byKey.get(key) ?? { key, push, observers: [] };
    watched.observers.push(op);
    byKey.set(key, watched);
  });
  const watched = [...byKey.values()];
  /** What each operation removes for good: a definite pop the value it returned, an open pop or a clear anything. */
  const removes = operations.map(({ input, return: returned, output }): 'any' | Watched | undefined => {
    if (input.op === 'clear' || (returned === null && (input.op === 'pop' || input.op === 'popLeft'))) return 'any';
    if ((input.op === 'pop' || input.op === 'popLeft') && output !== null && output !== undefined) return byKey.get(canonicalJson(output));
    return undefined;
  });
  const keys = new Map<unknown, string>();
  const keyOf = (value: unknown): string => {
    let key = keys.get(value);
    if (key === undefined) keys.set(value, (key = canonicalJson(value)));
    return key;
  };
  const present = new Set<string>();
  return (state, pending, last) => {
    const removed = removes[last];
    if (removed === undefined) return true;
    if (removed !== 'any') return !removed.observers.some(pending);
    present.clear();
    for (const items of state) for (const item of items) present.add(keyOf(item));
    return watched.every((value) => pending(value.push) || present.has(value.key) || !value.observers.some(pending));
  };
}
