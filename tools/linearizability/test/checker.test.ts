import { checkLinearizability, dequeModel, registerModel, type DequeInput, type DequeOutput, type HistoryOperation, type RegisterInput, type RegisterOutput } from '../src';
import { done } from './helpers';

type Op = HistoryOperation<RegisterInput<number>, RegisterOutput<number>>;

/**
 * `n` concurrent writes of distinct keys, then a read that no order can
 * explain: the search must visit every subset of the writes. That is n·2^n
 * steps with the memo (the state is a function of the subset) and about n!
 * without it.
 */
function impossibleAfterWrites(n: number): Op[] {
  const writes = Array.from({ length: n }, (_, index): Op => done(index, 0, 100, { op: 'write', key: `k${index}`, value: 1 }, null));
  return [...writes, done(n, 101, 102, { op: 'read', keys: ['k0'] }, [2])];
}

test('the memo keeps an exhaustive search over 14 concurrent writes small', () => {
  const model = registerModel<number>({});
  const result = checkLinearizability(model, impossibleAfterWrites(14), { maxSteps: 2_000_000, timeoutMs: 60_000 });
  expect(result.kind).toBe('violation');
  // 14! ≈ 8.7e10 orders; the memo visits each of the 2^14 subsets a bounded number of times.
  expect(result.steps).toBeLessThan(14 * 2 ** 14 * 4);
  expect(result.kind === 'violation' && result.longestPrefix.length).toBe(14);
});

test('the memo does not merge different states reached through the same set', () => {
  // Both orders of the two writes linearize the same set, with different states: the read must see either.
  const model = registerModel<number>({ x: 0 });
  const history: Op[] = [
    done(1, 0, 10, { op: 'write', key: 'x', value: 1 }, null),
    done(2, 0, 10, { op: 'write', key: 'x', value: 2 }, null),
    done(3, 11, 12, { op: 'read', keys: ['x'] }, [1]),
  ];
  expect(checkLinearizability(model, history).kind).toBe('ok');
  expect(checkLinearizability(model, [...history.slice(0, 2), done(3, 11, 12, { op: 'read', keys: ['x'] }, [2])]).kind).toBe('ok');
});

test('a step bound or a time bound ends the search with unknown, never a hang', () => {
  const model = registerModel<number>({});
  const bySteps = checkLinearizability(model, impossibleAfterWrites(14), { maxSteps: 1000 });
  expect(bySteps).toMatchObject({ kind: 'unknown', steps: 1000 });
  expect(bySteps.kind === 'unknown' && bySteps.reason).toMatch(/1000 search steps/);
  // A search that gives up is run again with the retry's bounds, which decide it.
  const retried = checkLinearizability(model, impossibleAfterWrites(14), { maxSteps: 1000, retry: { maxSteps: 2_000_000, timeoutMs: 60_000 } });
  expect(retried.kind).toBe('violation');
  const started = Date.now();
  const byTime = checkLinearizability(model, impossibleAfterWrites(20), { timeoutMs: 50 });
  expect(byTime.kind).toBe('unknown');
  expect(Date.now() - started).toBeLessThan(5000);
});

test('the linearization found respects the model and real time', () => {
  const model = registerModel<number>({ x: 0 });
  const history: Op[] = [
    done(1, 0, 1, { op: 'write', key: 'x', value: 1 }, null),
    done(2, 5, 20, { op: 'read', keys: ['x'] }, [2]),
    done(3, 6, 7, { op: 'write', key: 'x', value: 2 }, null),
  ];
  const result = checkLinearizability(model, history);
  expect(result).toMatchObject({ kind: 'ok', linearization: [0, 2, 1] });
});

test('an empty history is linearizable; a return before its call is refused', () => {
  const model = registerModel<number>({});
  expect(checkLinearizability(model, []).kind).toBe('ok');
  expect(() => checkLinearizability(model, [done(1, 5, 4, { op: 'read', keys: ['x'] }, [null])])).toThrow(RangeError);
});

test('calls and returns at the same instant count as concurrent', () => {
  const model = registerModel<number>({ x: 0 });
  const history: Op[] = [
    done(1, 0, 5, { op: 'read', keys: ['x'] }, [1]),
    done(2, 5, 6, { op: 'write', key: 'x', value: 1 }, null),
  ];
  expect(checkLinearizability(model, history).kind).toBe('ok');
});

/**
 * Eight appends that start first and return last (starved writers), while
 * one caller appends and pops its own values in between: every long append
 * must come after the short ones, and the final pops fix their order. A
 * search that tries candidates in call order tries the long appends first at
 * every level and wanders through their orders (measured: still unknown
 * after 3,000,000 steps); earliest return first needs 56.
 */
function starvedAppends(longCount: number): HistoryOperation<DequeInput<string>, DequeOutput<string>>[] {
  const longs = Array.from({ length: longCount }, (_, index) => done(index + 1, index, 10_000, { op: 'append' as const, deque: 'a', value: `long${index}` }, null));
  const shorts = Array.from({ length: 20 }, (_, index) => [
    done(0, 100 + index * 10, 103 + index * 10, { op: 'append' as const, deque: 'a', value: `short${index}` }, null),
    done(0, 105 + index * 10, 108 + index * 10, { op: 'popLeft' as const, deque: 'a' }, `short${index}`),
  ]).flat();
  const pops = longs.map((_, index) => done(0, 10_001 + index * 10, 10_005 + index * 10, { op: 'popLeft' as const, deque: 'a' }, `long${index}`));
  return [...longs, ...shorts, ...pops];
}

test('operations that start early and return late do not send the search astray', () => {
  const model = dequeModel<string>(['a']);
  const result = checkLinearizability(model, starvedAppends(8), { maxSteps: 20_000 });
  expect(result).toMatchObject({ kind: 'ok' });
  expect(result.steps).toBeLessThan(1_000);
  // A short pop that returns a long value is refused all the same (exhaustively: fewer long appends).
  const wrong = starvedAppends(5).map((operation, index) => (index === 6 ? { ...operation, output: 'long0' } : operation));
  expect(checkLinearizability(model, wrong, { maxSteps: 5_000_000, timeoutMs: 60_000 }).kind).toBe('violation');
});

test("a model's feasibility test is asked about each new state, and a refused state is never searched from", () => {
  const base = registerModel<number>({});
  const history = impossibleAfterWrites(3).slice(0, 3); // three concurrent writes
  const asked: { pending: boolean[]; last: number }[] = [];
  // Refuses every state in which k0 was written and k1 not yet: the search's first choice.
  const model = {
    ...base,
    feasibility: () => (_state: unknown, pending: (index: number) => boolean, last: number) => {
      asked.push({ pending: history.map((_, index) => pending(index)), last });
      return pending(0) || !pending(1);
    },
  };
  const result = checkLinearizability(model, history);
  expect(asked[0]).toEqual({ pending: [false, true, true], last: 0 });
  expect(result).toMatchObject({ kind: 'ok', linearization: [1, 0, 2] });
  // Refusing everything makes a linearizable history a violation: the test is trusted, so it must be a necessary condition.
  expect(checkLinearizability({ ...base, feasibility: () => () => false }, history).kind).toBe('violation');
});
