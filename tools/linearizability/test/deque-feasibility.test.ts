import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkLinearizability, dequeModel, fromPorcupineOperations, type DequeInput, type DequeOutput, type HistoryOperation, type PorcupineOperation } from '../src';
import { done, open, replays } from './helpers';

type Op = HistoryOperation<DequeInput<number>, DequeOutput<number>>;
const model = dequeModel<number>(['a', 'b']);
/** The same model without its feasibility test: the plain search, for comparison. */
const plain = { ...model, feasibility: undefined };

/** `n` appends to a, all concurrent, then a sequential drain from the left in `order` (values 0…n-1). */
function appendsThenDrain(n: number, order: readonly number[]): Op[] {
  const appends = Array.from({ length: n }, (_, value): Op => done(value, 0, 100, { op: 'append', deque: 'a', value }, null));
  const drain = order.map((value, at): Op => done(99, 101 + 2 * at, 102 + 2 * at, { op: 'popLeft', deque: 'a' }, value));
  return [...appends, ...drain];
}

describe("the deque model's feasibility test", () => {
  test('concurrent appends whose order only a later drain reveals: decided at once, where the plain search gives up', () => {
    // The search tries the appends in index order; the drain wants the reverse. The plain search visits ~10! orders of
    // the appends; with the test, a wrong one is dropped as soon as an append is made before one that must precede it.
    const reversed = appendsThenDrain(10, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(checkLinearizability(plain, reversed, { maxSteps: 30_000 }).kind).toBe('unknown');
    const result = checkLinearizability(model, reversed, { maxSteps: 100_000 });
    expect(result.kind).toBe('ok');
    expect(result.steps).toBeLessThan(200);
    expect(result.kind === 'ok' && replays(model, reversed, result.linearization)).toBe(true);
    // Value 0 appended before the others were called must come out first: no order explains it last.
    const late = appendsThenDrain(10, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]).map((operation, index) => (index === 0 ? { ...operation, return: 1 } : index < 10 ? { ...operation, call: 2 } : operation));
    expect(checkLinearizability(plain, late, { maxSteps: 30_000 }).kind).toBe('unknown');
    expect(checkLinearizability(model, late, { maxSteps: 100_000 })).toMatchObject({ kind: 'violation' });
  });

  test('a combining history under faults that 104 M plain steps could not decide is linearizable', () => {
    // Recorded by `pnpm load linearizability --combine` (134 operations, 9 clients, up to 88 at once, one open-ended extend).
    const file = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'combining-deque-seed-732350.json'), 'utf8')) as { operations: PorcupineOperation[] };
    const operations = fromPorcupineOperations<DequeInput<number>, DequeOutput<number>>(file.operations);
    expect(checkLinearizability(plain, operations, { maxSteps: 50_000 }).kind).toBe('unknown');
    const result = checkLinearizability(model, operations, { maxSteps: 200_000 });
    expect(result.kind).toBe('ok');
    expect(result.steps).toBeLessThan(10_000);
    expect(result.kind === 'ok' && replays(model, operations, result.linearization)).toBe(true);
  });

  test('an element whose value was pushed twice may stay for good: its pops may take the other copy', () => {
    // a = [1, 2, 1'] then popLeft → 1 takes the left copy, popLeft → 2; 1' stays. Read as "1' must leave by the left,
    // before 2", the test would refuse the only order.
    expect(checkLinearizability(model, [
      done(1, 0, 1, { op: 'append', deque: 'a', value: 1 }, null),
      done(1, 2, 3, { op: 'appendLeft', deque: 'a', value: 2 }, null),
      done(1, 4, 5, { op: 'appendLeft', deque: 'a', value: 1 }, null),
      done(1, 10, 11, { op: 'popLeft', deque: 'a' }, 1),
      done(1, 20, 21, { op: 'popLeft', deque: 'a' }, 2),
    ]).kind).toBe('ok');
  });

  test('an open-ended pop may have taken any element, a pending clear all of them', () => {
    // 2 is left of 1 and popped only later: explained only if the open-ended popLeft took the 2 (and the last pop saw 9).
    const history: Op[] = [
      done(1, 0, 1, { op: 'append', deque: 'a', value: 2 }, null),
      done(1, 2, 3, { op: 'append', deque: 'a', value: 1 }, null),
      open(2, 4, { op: 'popLeft', deque: 'a' }),
      done(1, 10, 11, { op: 'popLeft', deque: 'a' }, 1),
    ];
    expect(checkLinearizability(model, history).kind).toBe('ok');
    expect(checkLinearizability(model, [...history.slice(0, 2), ...history.slice(3)]).kind).toBe('violation');
    // Nothing ever pops 1, yet a pop finds a empty: the clear, concurrent with it, came first.
    expect(checkLinearizability(model, [
      done(1, 0, 1, { op: 'append', deque: 'a', value: 1 }, null),
      done(1, 2, 10, { op: 'clear', deque: 'a' }, null),
      done(2, 5, 6, { op: 'pop', deque: 'a' }, null),
    ]).kind).toBe('ok');
  });

  test('a deque seen empty needs every element out before: one that no pop takes in time is a violation', () => {
    const history: Op[] = [
      done(1, 0, 10, { op: 'extend', deque: 'a', values: [1, 2] }, null),
      done(2, 0, 10, { op: 'extendLeft', deque: 'b', values: [3, 4] }, null),
      done(3, 11, 12, { op: 'moveTo', deque: 'a', target: 'b', from: 'left', to: 'right' }, 1),
      done(3, 13, 14, { op: 'peek', deque: 'a' }, 2),
      done(3, 15, 16, { op: 'popLeft', deque: 'a' }, 2),
      done(3, 17, 18, { op: 'length', deque: 'a' }, 0),
      done(4, 11, 30, { op: 'pop', deque: 'b' }, 1),
    ];
    expect(checkLinearizability(model, history).kind).toBe('ok');
    // The same with the 2 popped only after a was seen empty.
    const late = [...history.slice(0, 4), done(3, 19, 20, { op: 'popLeft', deque: 'a' }, 2), ...history.slice(5)];
    expect(checkLinearizability(model, late).kind).toBe('violation');
  });
});
