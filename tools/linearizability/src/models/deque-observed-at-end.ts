/**
 * A rule of the deque model's feasibility test (see deque-feasibility.ts):
 * an element still to be seen at an end of its deque needs that end
 * cleared in time, and each removal clears one element.
 *
 * Take an element x of deque D whose value was pushed once, and the pending
 * operation with a response that returned it on D with the earliest return
 * t — a pop, moveTo or peek of D's end e. When that operation takes effect
 * (by t), x is at end e of D. Either x stays in D until then, or it leaves
 * D before and comes back:
 *
 * - x stays: every element now between x and end e must leave D through
 *   end e before (x blocks the other way) — each by its own removal at end
 *   e called no later than t: an operation with a response returning it,
 *   or an open-ended pop or move of D's end e (one element each).
 * - x leaves through end e' (either) at some instant before t: the same for
 *   the elements between x and end e', plus one more removal at e' for x
 *   itself (its own, not that operation, or an open-ended one).
 *
 * So the state has no linearizable future unless, for one of the three
 * cases, the elements that have no removal of their own at that end called
 * by t (plus x, in the second) number no more than the pending open-ended
 * removals of that end of D called by t. Elements pushed later, or leaving
 * and coming back, only need more. Counting an element's own removal when
 * its value was pushed twice (it may take the other copy) only makes the
 * rule weaker; x itself must have been pushed once. A clear of D cannot
 * happen while x is in D before it is seen (x would be gone for good), so
 * clears change nothing.
 *
 * The other rules look at each element's possible removals one by one, so
 * one open-ended move of an end lets any number of elements "leave" there;
 * this one counts them.
 */
import type { HistoryOperation } from '../history';
import { canonicalJson } from '../model';
import type { DequeInput, DequeOutput, DequeState } from './deque-model';

interface Sighting {
  readonly op: number;
  readonly deque: number;
  readonly left: boolean;
  readonly call: number;
  readonly ret: number;
  /** False for a peek: it sees the element without taking it. */
  readonly removes: boolean;
}

const SIGHTINGS: ReadonlyMap<DequeInput['op'], { readonly removes: boolean }> = new Map([
  ['pop', { removes: true }],
  ['popLeft', { removes: true }],
  ['moveTo', { removes: true }],
  ['peek', { removes: false }],
  ['peekLeft', { removes: false }],
]);

/** The rule for deque `deque` of a state, for `operations` (those searched); `pushedTwice` are the canonical JSON of values pushed more than once. */
export function dequeObservedAtEnd<V>(
  indexOf: (name: string) => number,
  deques: number,
  operations: readonly HistoryOperation<DequeInput<V>, DequeOutput<V>>[],
  pushedTwice: ReadonlySet<string>,
): (items: DequeState<V>[number], pending: (op: number) => boolean, deque: number) => boolean {
  const byValue = new Map<string, Sighting[]>();
  const wildcards: { op: number; left: boolean; call: number }[][] = Array.from({ length: deques }, () => []);
  operations.forEach(({ input, call, return: returned, output }, op) => {
    const kind = SIGHTINGS.get(input.op);
    if (kind === undefined) return;
    const deque = indexOf(input.deque);
    const left = input.op === 'popLeft' || input.op === 'peekLeft' || (input.op === 'moveTo' && input.from === 'left');
    if (returned === null) {
      if (kind.removes) wildcards[deque]!.push({ op, left, call });
      return;
    }
    if (output === null || output === undefined) return;
    const key = canonicalJson(output);
    const list = byValue.get(key) ?? [];
    list.push({ op, deque, left, call, ret: returned, removes: kind.removes });
    byValue.set(key, list);
  });
  const sightingsOf = new Map<unknown, { readonly list: readonly Sighting[]; readonly once: boolean }>();
  const lookup = (value: unknown): { readonly list: readonly Sighting[]; readonly once: boolean } => {
    let found = sightingsOf.get(value);
    if (found === undefined) {
      const key = canonicalJson(value);
      sightingsOf.set(value, (found = { list: byValue.get(key) ?? [], once: !pushedTwice.has(key) }));
    }
    return found;
  };
  // Per element: the earliest call of a pending removal of its own at each end of this deque (Infinity: none).
  let ownLeft = new Float64Array(16);
  let ownRight = new Float64Array(16);
  return (items, pending, deque) => {
    const n = items.length;
    if (n < 2) return true;
    if (ownLeft.length < n) [ownLeft, ownRight] = [new Float64Array(2 * n), new Float64Array(2 * n)];
    for (let at = 0; at < n; at++) {
      ownLeft[at] = ownRight[at] = Infinity;
      for (const sighting of lookup(items[at]).list) {
        if (!sighting.removes || sighting.deque !== deque || !pending(sighting.op)) continue;
        if (sighting.left) ownLeft[at] = Math.min(ownLeft[at]!, sighting.call);
        else ownRight[at] = Math.min(ownRight[at]!, sighting.call);
      }
    }
    const open = wildcards[deque]!;
    const openBy = (left: boolean, time: number): number => open.reduce((count, wildcard) => count + (wildcard.left === left && wildcard.call <= time && pending(wildcard.op) ? 1 : 0), 0);
    /** The elements between position `at` and end `left` with no removal of their own there called by `time`. */
    const unaided = (at: number, left: boolean, time: number): number => {
      let count = 0;
      if (left) for (let other = 0; other < at; other++) count += ownLeft[other]! > time ? 1 : 0;
      else for (let other = at + 1; other < n; other++) count += ownRight[other]! > time ? 1 : 0;
      return count;
    };
    for (let at = 0; at < n; at++) {
      const { list, once } = lookup(items[at]);
      if (!once) continue;
      let seen: Sighting | undefined;
      for (const sighting of list) if (sighting.deque === deque && pending(sighting.op) && (seen === undefined || sighting.ret < seen.ret)) seen = sighting;
      if (seen === undefined) continue;
      const t = seen.ret;
      if (unaided(at, seen.left, t) <= openBy(seen.left, t)) continue;
      const leaves = (left: boolean): boolean => {
        const own = list.some((sighting) => sighting.removes && sighting !== seen && sighting.deque === deque && sighting.left === left && sighting.call <= t && pending(sighting.op));
        return unaided(at, left, t) + (own ? 0 : 1) <= openBy(left, t);
      };
      if (!leaves(true) && !leaves(false)) return false;
    }
    return true;
  };
}
