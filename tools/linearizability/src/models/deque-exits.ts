/**
 * A rule of the deque model's feasibility test (see deque-feasibility.ts)
 * for moves between deques: an element that is still to be seen in another
 * deque must get there, and only a move takes it there.
 *
 * Take an element x of deque D whose value was pushed once (values are
 * unique: x is the only element with it), and a pending operation with a
 * response that returned x's value on another deque T — a pop, peek or
 * moveTo whose `deque` is T. When that operation takes effect x is in T,
 * so before it, and after now, x leaves D for another deque: by a pending
 * moveTo from D to another deque that returns x (if it has a response) or
 * an open-ended one (it may take anything). Either is called no later than
 * it takes effect, so no later than that observer returned: x's deadline
 * is the earliest return of its pending observers on other deques. A
 * pending moveTo with a response that returns x from D, called by then,
 * may be x's exit; otherwise x needs an open-ended move out of D called no
 * later than its deadline, and one open-ended move moves one element. So,
 * with the elements that need one sorted by deadline, the i-th needs at
 * least i pending open-ended moves out of D called no later than its
 * deadline (Hall's condition for these nested sets). Elements that will
 * leave D again later, or come back, only need more. A state that fails it
 * has no linearizable future.
 *
 * The other rules of the test let an element wait in D as long as any
 * open-ended move of D is pending: it is the counting (the moves are used
 * up) and the deadline that they miss. Values pushed twice are left out
 * (the observer may have seen the other copy). A pending clear changes
 * nothing here, unlike in the other rules: it cannot take x, which is still
 * to be seen and never comes back once gone.
 */
import type { HistoryOperation } from '../history';
import { canonicalJson } from '../model';
import type { DequeInput, DequeOutput, DequeState } from './deque-model';

const OBSERVERS: ReadonlySet<DequeInput['op']> = new Set(['pop', 'popLeft', 'peek', 'peekLeft', 'moveTo']);

/** What the rule needs to know about one value: its observers (ops with a response returning it) and its own exits. */
interface ValueFacts {
  readonly observers: { readonly op: number; readonly deque: number; readonly ret: number }[];
  /** Moves with a response that return the value, from `deque` to another deque. */
  readonly exits: { readonly op: number; readonly deque: number; readonly call: number }[];
}

/**
 * The rule for the deque `deque` of a state, for `operations` (those
 * searched); `pushedTwice` are the canonical JSON of values pushed more
 * than once.
 */
export function dequeExits<V>(
  indexOf: (name: string) => number,
  deques: number,
  operations: readonly HistoryOperation<DequeInput<V>, DequeOutput<V>>[],
  pushedTwice: ReadonlySet<string>,
): (items: DequeState<V>[number], pending: (op: number) => boolean, deque: number) => boolean {
  const byValue = new Map<string, ValueFacts>();
  const openExits: { op: number; call: number }[][] = Array.from({ length: deques }, () => []);
  operations.forEach((operation, op) => {
    const input = operation.input;
    const deque = indexOf(input.deque);
    const leaves = input.op === 'moveTo' && indexOf(input.target) !== deque;
    if (operation.return === null) {
      if (leaves) openExits[deque]!.push({ op, call: operation.call });
      return;
    }
    if (!OBSERVERS.has(input.op) || operation.output === null || operation.output === undefined) return;
    const key = canonicalJson(operation.output);
    if (pushedTwice.has(key)) return;
    const facts = byValue.get(key) ?? { observers: [], exits: [] };
    facts.observers.push({ op, deque, ret: operation.return });
    if (leaves) facts.exits.push({ op, deque, call: operation.call });
    byValue.set(key, facts);
  });
  for (const exits of openExits) exits.sort((x, y) => x.call - y.call);
  const factsOf = new Map<unknown, ValueFacts | undefined>();
  const lookup = (value: unknown): ValueFacts | undefined => {
    if (!factsOf.has(value)) factsOf.set(value, byValue.get(canonicalJson(value)));
    return factsOf.get(value);
  };
  const deadlines: number[] = [];
  return (items, pending, deque) => {
    const exits = openExits[deque]!;
    if (items.length === 0) return true;
    deadlines.length = 0;
    for (const item of items) {
      const facts = lookup(item);
      if (facts === undefined) continue;
      let deadline = Infinity;
      for (const observer of facts.observers) if (observer.deque !== deque && observer.ret < deadline && pending(observer.op)) deadline = observer.ret;
      if (deadline === Infinity) continue;
      if (facts.exits.some((exit) => exit.deque === deque && exit.call <= deadline && pending(exit.op))) continue;
      deadlines.push(deadline);
    }
    if (deadlines.length === 0) return true;
    deadlines.sort((x, y) => x - y);
    // Two pointers: the open-ended moves out of D called by each deadline, against the elements needing one by then.
    let available = 0;
    let next = 0;
    for (let need = 0; need < deadlines.length; need++) {
      for (; next < exits.length && exits[next]!.call <= deadlines[need]!; next++) if (pending(exits[next]!.op)) available += 1;
      if (available < need + 1) return false;
    }
    return true;
  };
}
