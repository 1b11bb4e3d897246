/**
 * The queue model's feasibility test (Model.feasibility): a necessary
 * condition, checked on each state the search reaches, for the operations
 * not yet linearized to be linearizable from it. It drops a wrong order of
 * concurrent pushes when it is made, not when the jobs are finally claimed
 * (a soak history: pushes of nine clients, claims returning jobs much later,
 * undecided after 8.8 M steps without it).
 *
 * The fact it rests on: `ready` is a FIFO. A push appends; a job leaves
 * `ready` only with the jobs ahead of it gone at the same step or before —
 * by a claim returning it (claimOf: the head, or behind jobs skipped by
 * ghosts), by being skipped by ghosts (each skipped job uses up one ghost),
 * or by a final `null` claim (each job left uses up one ghost). So for a job
 * x waiting in `ready` (or still to be pushed by a pending push: behind
 * every job there now) with a pending claim returning it, x leaves `ready`
 * no later than D = the earliest return of those claims, and each job y
 * ahead of x must leave by then too: through a pending claim returning y
 * called no later than D, or through a ghost. Ghosts available by then: the
 * state's, plus one per pending claim that may make one (a non-final claim
 * that returned `null`, or an open-ended one resolved as a ghost) called no
 * later than D. The same for a pending `null` claim that needs `ready`
 * empty (a final one; any one without lost claims, where there are no
 * ghosts): every job there leaves before it returns, or through a ghost.
 *
 * Each rule only relaxes what a real linearization must do (it ignores which
 * claim happens and with what delivery number), so a state it refuses has
 * no linearizable future: the verdict stays exact. It needs each value
 * pushed once (the workloads push unique values); a history pushing a value
 * twice gets no test. Checked against the plain search on random histories:
 * test/queue-feasibility-differential.test.ts.
 */
import type { HistoryOperation } from '../history';
import type { QueueInput, QueueOutput } from './queue-model';
import type { QueueState } from './queue-state';

interface Claim {
  readonly op: number;
  readonly call: number;
  readonly ret: number;
}

/** A pending operation with a deadline: every job in `ready` must have left by it (up to the ghosts). */
interface Deadline {
  readonly op: number;
  readonly deadline: number;
}

export function queueFeasibility<V>(
  numberOf: (value: unknown) => number,
  lostClaims: boolean,
  operations: readonly HistoryOperation<QueueInput<V>, QueueOutput<V>>[],
): (state: QueueState<V>, pending: (op: number) => boolean, last: number) => boolean {
  const pushedBy = new Map<number, number[]>();
  const claimsOf = new Map<number, Claim[]>();
  const ghostMakers: Claim[] = [];
  const empties: Deadline[] = [];
  operations.forEach((operation, op) => {
    const input = operation.input;
    if (input.op === 'push' || input.op === 'pushMany') {
      for (const value of input.op === 'push' ? [input.value] : input.values) pushedBy.set(numberOf(value), [...(pushedBy.get(numberOf(value)) ?? []), op]);
      return;
    }
    if (input.op !== 'claim') return;
    const output = operation.output;
    const ret = operation.return ?? Infinity;
    if (output !== null && typeof output === 'object' && operation.return !== null) {
      const number = numberOf(output.value);
      claimsOf.set(number, [...(claimsOf.get(number) ?? []), { op, call: operation.call, ret }]);
    } else if (operation.return === null || output === 'ghost') {
      // Open-ended (final or not): a ghost when claims may be lost, else the model leaves the state as it is.
      if (lostClaims) ghostMakers.push({ op, call: operation.call, ret });
    } else if (output === null) {
      // A final null needs ready empty up to ghosts; a plain one makes a ghost if claims may be lost, else needs ready empty.
      if (input.final !== true && lostClaims) ghostMakers.push({ op, call: operation.call, ret });
      else empties.push({ op, deadline: ret });
    }
  });
  if ([...pushedBy.values()].some((ops) => ops.length > 1)) return () => true;
  for (const claims of claimsOf.values()) claims.sort((a, b) => a.call - b.call);
  ghostMakers.sort((a, b) => a.call - b.call);
  // A pending push: its jobs, behind everything in `ready`, leave by the first return of their claims (all pending: not pushed yet).
  const pushes: Deadline[] = [];
  operations.forEach((operation, op) => {
    const input = operation.input;
    if (input.op !== 'push' && input.op !== 'pushMany') return;
    const values = input.op === 'push' ? [input.value] : input.values;
    const deadline = Math.min(...values.flatMap((value) => (claimsOf.get(numberOf(value)) ?? []).map((claim) => claim.ret)));
    if (deadline < Infinity) pushes.push({ op, deadline });
  });
  const deadlines = [...pushes, ...empties].sort((a, b) => a.deadline - b.deadline);
  const NONE: readonly Claim[] = [];
  // Only a push (ready grows) or a claim that got a job (ready shrinks, ghosts may be used up) can make a state fail that its parent passed:
  // a settle or expireAll leaves ready, ghosts and the pending claims as they were, and a claim that made a ghost only adds one.
  const changesReady = operations.map(({ input, output, return: ret }) => input.op === 'push' || input.op === 'pushMany' || (input.op === 'claim' && ret !== null && output !== null && typeof output === 'object'));

  // Per job in ready, reused from state to state (the search asks one state at a time).
  let earliest = new Float64Array(64);
  let due = new Float64Array(64);

  return (state, pending, last) => {
    const ready = state.ready;
    if (ready.length === 0 || !changesReady[last]!) return true;
    const ghostsBy = (deadline: number): number => {
      let ghosts = state.ghosts;
      for (const maker of ghostMakers) {
        if (maker.call > deadline) break;
        if (pending(maker.op)) ghosts += 1;
      }
      return ghosts;
    };
    // Per job in ready: the earliest call of a pending claim returning it (it can leave by itself no sooner), and the earliest return (it must leave by then).
    if (earliest.length < ready.length) [earliest, due] = [new Float64Array(2 * ready.length), new Float64Array(2 * ready.length)];
    for (let at = 0; at < ready.length; at++) {
      let first = Infinity;
      let by = Infinity;
      for (const claim of claimsOf.get(ready[at]![2]) ?? NONE) {
        if (!pending(claim.op)) continue;
        if (first === Infinity) first = claim.call;
        if (claim.ret < by) by = claim.ret;
      }
      earliest[at] = first;
      due[at] = by;
    }
    /** Whether the first `count` jobs of ready can all be gone by `deadline`. */
    const goneBy = (count: number, deadline: number): boolean => {
      let stuck = 0;
      for (let at = 0; at < count; at++) if (earliest[at]! > deadline) stuck += 1;
      return stuck === 0 || stuck <= ghostsBy(deadline);
    };
    for (let at = 1; at < ready.length; at++) if (due[at]! < Infinity && !goneBy(at, due[at]!)) return false;
    // The first pending push or empty-seeing claim is the tightest: fewer jobs can leave by an earlier deadline, with fewer ghosts.
    const first = deadlines.find(({ op }) => pending(op));
    return first === undefined || goneBy(ready.length, first.deadline);
  };
}
