/**
 * The deque model's feasibility test (Model.feasibility): a necessary
 * condition, checked on each state the search reaches, for the operations
 * not yet linearized to be linearizable from it. It lets the search drop a
 * wrong order of pushes when it is made, not hundreds of operations later
 * when the values are finally popped (a combining history under faults:
 * concurrent extends whose order only the drain at the end reveals).
 *
 * The one fact it rests on: an element leaves its deque only through one of
 * its two ends, by an operation whose output is its value — a pop, popLeft
 * or moveTo with that deque as source (a rotation too: it leaves and comes
 * back) — or by a clear. While it stays, the elements on its left stay on
 * its left. So, for an element x of deque D, its possible removals are the
 * pending operations on D that returned x's value, plus every pending
 * open-ended pop/popLeft/moveTo of D (it may have taken anything, at any
 * time after its call):
 *
 * - If every possible removal of x is at the left end, each element left of
 *   x must leave by the left end first: it needs a possible left removal
 *   called no later than the last return among x's. Mirrored for the right.
 * - A pending operation that saw D empty (a pop, peek or moveTo that
 *   returned null, a length of 0) needs every element of D gone before it
 *   returns: each needs a possible removal called no later than that.
 * - A pending push (with a response) of a value v onto D's right end, v
 *   able to leave D only by the left: each element of D either leaves
 *   before the push returns (a possible removal called no later), or is
 *   left of v and leaves by the left before v does (the first rule, for v
 *   not pushed yet). Mirrored for a push onto the left end.
 *
 * All three only relax what a real linearization must do (they ignore which
 * removal actually happens, and where), so dropping a state that fails them
 * never drops a linearizable future: the verdict stays exact. A pending
 * clear of D turns the test off for D. The first and third rules need x
 * (v) to leave at all: true when its value was pushed once (a pending
 * operation returns it, so it must leave D); a value pushed twice (the
 * workloads never do) may stay for good, its pops taking the other copy,
 * so its removals count as returning at any time (found by a differential
 * run against the plain search; test/deque-feasibility*.test.ts).
 *
 * A fourth rule, for moves (deque-exits.ts): an element still to be seen in
 * another deque needs a move out of its deque in time, and open-ended moves
 * are counted — each moves one element. A fifth (deque-lost-values.ts): a
 * value still to be seen must not have been popped or cleared for good. A
 * sixth (deque-observed-at-end.ts) counts what the first one only checks
 * element by element: an element to be seen at an end needs the elements
 * between it and that end removed in time, one removal each.
 */
import type { HistoryOperation } from '../history';
import { canonicalJson } from '../model';
import { dequeExits } from './deque-exits';
import { dequeLostValues } from './deque-lost-values';
import { dequeObservedAtEnd } from './deque-observed-at-end';
import type { DequeInput, DequeOutput, DequeState } from './deque-model';

/** A pending operation that may take an element out of a deque. */
interface Removal {
  readonly op: number;
  readonly deque: number;
  readonly left: boolean;
  readonly call: number;
  /** Infinity for an open-ended one. */
  readonly ret: number;
}

interface DequeFacts {
  /** Pending open-ended removals of this deque: they may take any element. */
  readonly wildcards: Removal[];
  /** Operations that saw this deque empty, and when they returned. */
  readonly empties: { readonly op: number; readonly ret: number }[];
  /** Clears of this deque, definite or open-ended. */
  readonly clears: number[];
  /** Each value each push with a response puts on this deque, at which end. */
  readonly pushes: { readonly op: number; readonly ret: number; readonly left: boolean; readonly key: string }[];
}

const PUSHES: ReadonlySet<DequeInput['op']> = new Set(['append', 'appendLeft', 'extend', 'extendLeft']);
const REMOVALS: ReadonlySet<DequeInput['op']> = new Set(['pop', 'popLeft', 'moveTo']);
const SEES_EMPTY_WITH_NULL: ReadonlySet<DequeInput['op']> = new Set(['pop', 'popLeft', 'moveTo', 'peek', 'peekLeft']);

export function dequeFeasibility<V>(
  indexOf: (name: string) => number,
  deques: number,
  operations: readonly HistoryOperation<DequeInput<V>, DequeOutput<V>>[],
): (state: DequeState<V>, pending: (op: number) => boolean, last: number) => boolean {
  const byValue = new Map<string, Removal[]>();
  const pushedTwice = valuesPushedTwice(operations);
  const affected = operations.map((operation) => affects(indexOf, operation));
  const facts: DequeFacts[] = Array.from({ length: deques }, () => ({ wildcards: [], empties: [], clears: [], pushes: [] }));
  operations.forEach((operation, op) => {
    const input = operation.input;
    const deque = indexOf(input.deque);
    if (input.op === 'clear') facts[deque]!.clears.push(op);
    if (operation.return !== null && PUSHES.has(input.op)) {
      const values = 'values' in input ? input.values : 'value' in input ? [input.value] : [];
      const left = input.op === 'appendLeft' || input.op === 'extendLeft';
      for (const value of values) facts[deque]!.pushes.push({ op, ret: operation.return, left, key: canonicalJson(value) });
    }
    if (operation.return === null) {
      if (REMOVALS.has(input.op)) facts[deque]!.wildcards.push({ op, deque, left: leftEnd(input), call: operation.call, ret: Infinity });
      return;
    }
    const output = operation.output;
    if (output === null || output === undefined) {
      if (SEES_EMPTY_WITH_NULL.has(input.op)) facts[deque]!.empties.push({ op, ret: operation.return });
    } else if (input.op === 'length') {
      if (output === 0) facts[deque]!.empties.push({ op, ret: operation.return });
    } else if (REMOVALS.has(input.op)) {
      const key = canonicalJson(output);
      const list = byValue.get(key) ?? [];
      // A copy of a value pushed twice may never leave (its removals may all take the other copy): as if they could return at any time.
      list.push({ op, deque, left: leftEnd(input), call: operation.call, ret: pushedTwice.has(key) ? Infinity : operation.return });
      byValue.set(key, list);
    }
  });
  const removalsOf = byIdentity((value) => byValue.get(canonicalJson(value)));
  const bounds = new Bounds();
  const feasible = (state: DequeState<V>, pending: (op: number) => boolean, deque: number): boolean => {
    const items = state[deque]!;
    const fact = facts[deque]!;
    if (items.length === 0 || fact.clears.some(pending)) return true;
    bounds.fill(items.length, fact.wildcards, deque, pending);
    items.forEach((item, at) => bounds.add(at, removalsOf(item), deque, pending));
    let firstEmpty = Infinity;
    for (const empty of fact.empties) if (pending(empty.op)) firstEmpty = Math.min(firstEmpty, empty.ret);
    return bounds.allGoneBy(firstEmpty) && bounds.endAllows(true) && bounds.endAllows(false) && pushesAllow(deque, pending);
  };
  /** The third rule, for the pending pushes onto `deque` (the elements' bounds already filled). */
  const pushesAllow = (deque: number, pending: (op: number) => boolean): boolean => {
    const fact = facts[deque]!;
    const latest = bounds.latestFirstCall();
    for (const push of fact.pushes) {
      // A push returning after every element could have left constrains none.
      if (push.ret >= latest || !pending(push.op)) continue;
      const removals = byValue.get(push.key);
      if (removals === undefined) continue;
      const coming = bounds.alone(removals, fact.wildcards, deque, pending);
      const onlyByOtherEnd = push.left ? coming.leftCall === Infinity && coming.rightCall !== Infinity : coming.rightCall === Infinity && coming.leftCall !== Infinity;
      if (onlyByOtherEnd && !bounds.outrunBy(push.ret, push.left ? coming.rightRet : coming.leftRet, !push.left)) return false;
    }
    return true;
  };
  const exitsAllow = dequeExits(indexOf, deques, operations, pushedTwice);
  const notLost = dequeLostValues(operations, pushedTwice);
  const endsClear = dequeObservedAtEnd(indexOf, deques, operations, pushedTwice);
  const allow = (state: DequeState<V>, pending: (op: number) => boolean, deque: number): boolean =>
    feasible(state, pending, deque) && exitsAllow(state[deque]!, pending, deque) && endsClear(state[deque]!, pending, deque);
  return (state, pending, last) => affected[last]!.every((deque) => allow(state, pending, deque)) && notLost(state, pending, last);
}

/** The values (canonical JSON) more than one push pushed. */
function valuesPushedTwice(operations: readonly HistoryOperation<DequeInput<unknown>, unknown>[]): Set<string> {
  const once = new Set<string>();
  const twice = new Set<string>();
  for (const { input } of operations) {
    const values = input.op === 'extend' || input.op === 'extendLeft' ? input.values : input.op === 'append' || input.op === 'appendLeft' ? [input.value] : [];
    for (const value of values) {
      const key = canonicalJson(value);
      (once.has(key) ? twice : once).add(key);
    }
  }
  return twice;
}

/**
 * The deques whose test an operation can turn false (every other one stays
 * as it was, or only loses constraints): the one it adds an element to, and
 * for an open-ended removal the one whose elements lose it as a possible
 * removal. (With equal values a pop can take a possible removal from an
 * element it did not take: not tested then, which only prunes less.)
 */
function affects(indexOf: (name: string) => number, { input, return: returned }: HistoryOperation<DequeInput<unknown>, unknown>): number[] {
  const open = returned === null;
  if (PUSHES.has(input.op)) return [indexOf(input.deque)];
  if (input.op === 'moveTo') return open ? [indexOf(input.deque), indexOf(input.target)] : [indexOf(input.target)];
  return open && REMOVALS.has(input.op) ? [indexOf(input.deque)] : [];
}

/** The side an operation takes from: pop and moveTo's default `from` are the right end. */
function leftEnd(input: DequeInput<unknown>): boolean {
  return input.op === 'popLeft' || (input.op === 'moveTo' && input.from === 'left');
}

/**
 * Per element of one deque (by position from the left): the earliest call
 * and the latest return of its possible removals at each end (Infinity and
 * -Infinity: none). Reused from state to state: the test runs at every step.
 */
class Bounds {
  #length = 0;
  #leftCall = new Float64Array(16);
  #leftRet = new Float64Array(16);
  #rightCall = new Float64Array(16);
  #rightRet = new Float64Array(16);

  /** Starts over for `length` elements, each of which any of `wildcards` (pending ones) may take. */
  fill(length: number, wildcards: readonly Removal[], deque: number, pending: (op: number) => boolean): void {
    if (length > this.#leftCall.length) {
      const size = Math.max(length, 2 * this.#leftCall.length);
      this.#leftCall = new Float64Array(size);
      this.#leftRet = new Float64Array(size);
      this.#rightCall = new Float64Array(size);
      this.#rightRet = new Float64Array(size);
    }
    this.#length = length;
    // The wildcards' bounds, the same for every element: in slot 0 first, then copied.
    this.#leftCall[0] = this.#rightCall[0] = Infinity;
    this.#leftRet[0] = this.#rightRet[0] = -Infinity;
    this.add(0, wildcards, deque, pending);
    this.#leftCall.fill(this.#leftCall[0]!, 1, length);
    this.#rightCall.fill(this.#rightCall[0]!, 1, length);
    this.#leftRet.fill(this.#leftRet[0]!, 1, length);
    this.#rightRet.fill(this.#rightRet[0]!, 1, length);
  }

  /** Counts `removals` (those pending, of this deque) as possible removals of the element at `at`. */
  add(at: number, removals: readonly Removal[] | undefined, deque: number, pending: (op: number) => boolean): void {
    if (removals === undefined) return;
    for (const removal of removals) {
      if (removal.deque !== deque || !pending(removal.op)) continue;
      const calls = removal.left ? this.#leftCall : this.#rightCall;
      const rets = removal.left ? this.#leftRet : this.#rightRet;
      calls[at] = Math.min(calls[at]!, removal.call);
      rets[at] = Math.max(rets[at]!, removal.ret);
    }
  }

  /** The latest over the elements of their earliest possible removal's call. */
  latestFirstCall(): number {
    let latest = -Infinity;
    for (let at = 0; at < this.#length; at++) latest = Math.max(latest, Math.min(this.#leftCall[at]!, this.#rightCall[at]!));
    return latest;
  }

  /** The bounds of one value's removals (with the wildcards), not stored. */
  alone(removals: readonly Removal[], wildcards: readonly Removal[], deque: number, pending: (op: number) => boolean): { leftCall: number; leftRet: number; rightCall: number; rightRet: number } {
    const bounds = { leftCall: Infinity, leftRet: -Infinity, rightCall: Infinity, rightRet: -Infinity };
    for (const list of [removals, wildcards]) {
      for (const removal of list) {
        if (removal.deque !== deque || !pending(removal.op)) continue;
        if (removal.left) {
          bounds.leftCall = Math.min(bounds.leftCall, removal.call);
          bounds.leftRet = Math.max(bounds.leftRet, removal.ret);
        } else {
          bounds.rightCall = Math.min(bounds.rightCall, removal.call);
          bounds.rightRet = Math.max(bounds.rightRet, removal.ret);
        }
      }
    }
    return bounds;
  }

  /**
   * A value pushed by an operation returning at `pushed` onto the other end
   * than `left`, which can only leave by end `left`, at the latest by `ret`:
   * every element must either be able to leave before the push returns, or
   * leave by end `left` by a removal called no later than `ret`.
   */
  outrunBy(pushed: number, ret: number, left: boolean): boolean {
    const calls = left ? this.#leftCall : this.#rightCall;
    for (let at = 0; at < this.#length; at++) if (Math.min(this.#leftCall[at]!, this.#rightCall[at]!) > pushed && calls[at]! > ret) return false;
    return true;
  }

  /** Whether every element has a possible removal called no later than `time`. */
  allGoneBy(time: number): boolean {
    if (time === Infinity) return true;
    for (let at = 0; at < this.#length; at++) if (Math.min(this.#leftCall[at]!, this.#rightCall[at]!) > time) return false;
    return true;
  }

  /**
   * Scanning from one end: an element that can only leave by this end needs
   * every element before it to be able to leave by this end, by a removal
   * called no later than its own last return.
   */
  endAllows(left: boolean): boolean {
    const calls = left ? this.#leftCall : this.#rightCall;
    const rets = left ? this.#leftRet : this.#rightRet;
    const others = left ? this.#rightCall : this.#leftCall;
    let latestFirstCall = -Infinity;
    for (let step = 0; step < this.#length; step++) {
      const at = left ? step : this.#length - 1 - step;
      if (others[at] === Infinity && calls[at]! !== Infinity && latestFirstCall > rets[at]!) return false;
      latestFirstCall = Math.max(latestFirstCall, calls[at]!);
    }
    return true;
  }
}

/** `lookup` of a state's values, cached by identity (they are the history's own inputs): one Map read per element. */
function byIdentity<T>(lookup: (value: unknown) => T): (value: unknown) => T {
  const cache = new Map<unknown, T>();
  return (value) => {
    if (cache.has(value)) return cache.get(value)!;
    const found = lookup(value);
    cache.set(value, found);
    return found;
  };
}
