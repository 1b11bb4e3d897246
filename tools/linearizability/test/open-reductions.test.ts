/**
 * The reductions for open-ended operations, one by one: the checker's
 * (twins in call order, no step that changes nothing: src/open-twins.ts and
 * src/checker.ts) and the deque feasibility rules for moves and lost values
 * (src/models/deque-exits.ts, src/models/deque-lost-values.ts), and the
 * counting of removals at an end (src/models/deque-observed-at-end.ts). Each is
 * shown to decide what it should, with the plain search's verdict and fewer
 * steps, and the rules' conditions one at a time on hand-made states.
 */
import { checkLinearizability, dequeModel, type DequeInput, type DequeOutput, type HistoryOperation } from '../src';
import { dequeExits } from '../src/models/deque-exits';
import { dequeLostValues } from '../src/models/deque-lost-values';
import { dequeObservedAtEnd } from '../src/models/deque-observed-at-end';
import { earlierTwins } from '../src/open-twins';
import { done, open, replays } from './helpers';

type Op = HistoryOperation<DequeInput<number>, DequeOutput<number>>;
const model = dequeModel<number>(['a', 'b']);
const plain = { ...model, feasibility: undefined };
const indexOf = (name: string): number => ['a', 'b'].indexOf(name);
const moveAB: DequeInput<number> = { op: 'moveTo', deque: 'a', target: 'b' };
/** Which operations are pending, from a list of the linearized ones. */
const pendingExcept = (...linearized: number[]) => (op: number): boolean => !linearized.includes(op);

describe('open-ended twins', () => {
  test('each open-ended operation points at its twin called just before it (ties by index); operations with a response have none', () => {
    const operations: Op[] = [open(1, 5, moveAB), open(2, 3, moveAB), done(3, 0, 1, moveAB, null), open(4, 3, { ...moveAB, to: 'right' }), open(5, 5, moveAB), open(6, 9, { op: 'moveTo', target: 'b', deque: 'a' })];
    // Call order of the twins of moveAB: 1 (t=3), 0 (t=5), 4 (t=5), 5 (t=9; same input, keys in another order).
    expect([...earlierTwins(operations)]).toEqual([1, -1, -1, -1, 0, 4]);
  });

  test('five lost moves of one kind: the same verdicts, in far fewer steps than trying every subset', () => {
    const lost = Array.from({ length: 5 }, (_, at): Op => open(10 + at, at, moveAB));
    const pushes = Array.from({ length: 6 }, (_, at): Op => done(1, 10 * at, 10 * at + 5, { op: 'append', deque: 'a', value: at }, null));
    // Two of the five moved 5 and 4 to b, the drain shows where everything ended up.
    const drain = [0, 1, 2, 3, null, 4, 5, null].map((value, at): Op => done(2, 100 + 2 * at, 101 + 2 * at, { op: 'popLeft', deque: at < 5 ? 'a' : 'b' }, value));
    const history = [...lost, ...pushes, ...drain];
    const reduced = checkLinearizability(plain, history);
    const unreduced = checkLinearizability(plain, history, { openReductions: false });
    expect(reduced.kind).toBe('ok');
    expect(unreduced.kind).toBe('ok');
    expect(reduced.kind === 'ok' && replays(model, history, reduced.linearization)).toBe(true);
    // 5 is in neither deque at the end, and moves keep what they take: every placement of the moves is tried before saying so.
    const wrong = [...lost, ...pushes, ...[0, 1, 2, 3, null, 4, null].map((value, at): Op => done(2, 100 + 2 * at, 101 + 2 * at, { op: 'popLeft', deque: at < 5 ? 'a' : 'b' }, value))];
    const violation = checkLinearizability(plain, wrong);
    const exhaustive = checkLinearizability(plain, wrong, { openReductions: false });
    expect(violation.kind).toBe('violation');
    expect(exhaustive.kind).toBe('violation');
    // Measured: 2,307 steps against 27,219 (with six moves: 3,260 against 83,153).
    expect(violation.steps * 5).toBeLessThan(exhaustive.steps);
  });
});

describe('no step that changes nothing', () => {
  test('lost pops of an empty deque are not tried where they change nothing: a violation found in fewer steps', () => {
    // b is always empty: each lost pop of it is a no-op wherever it goes. a's pops come out in the wrong order.
    const history: Op[] = [
      ...Array.from({ length: 5 }, (_, at): Op => open(10 + at, at, { op: at % 2 === 0 ? 'pop' : 'popLeft', deque: 'b' })),
      done(1, 0, 50, { op: 'extend', deque: 'a', values: [1, 2, 3] }, null),
      done(2, 60, 61, { op: 'popLeft', deque: 'a' }, 2),
      done(2, 62, 63, { op: 'popLeft', deque: 'a' }, 1),
      done(2, 64, 65, { op: 'popLeft', deque: 'a' }, 3),
    ];
    const reduced = checkLinearizability(plain, history);
    const unreduced = checkLinearizability(plain, history, { openReductions: false });
    expect(reduced.kind).toBe('violation');
    expect(unreduced.kind).toBe('violation');
    // Measured: 13 steps against 287.
    expect(reduced.steps * 10).toBeLessThan(unreduced.steps);
  });
});

describe('the rule for moves: an element to be seen in another deque needs a move out in time', () => {
  // 1 and 2 are in a; a pop of b returned 1 (call 10, returned 20), a peek of b returned 2 (returned 40).
  const observers: Op[] = [done(1, 10, 20, { op: 'popLeft', deque: 'b' }, 1), done(1, 30, 40, { op: 'peek', deque: 'b' }, 2)];

  test('one lost move out of a for two elements that must both reach b: refused; two: allowed, until one is used', () => {
    const one = dequeExits(indexOf, 2, [...observers, open(2, 0, moveAB)], new Set());
    expect(one([1], pendingExcept(), 0)).toBe(true);
    expect(one([1, 2], pendingExcept(), 0)).toBe(false);
    // Once the pop of b has taken effect, 1 needs nothing more.
    expect(one([1, 2], pendingExcept(0), 0)).toBe(true);
    const two = dequeExits(indexOf, 2, [...observers, open(2, 0, moveAB), open(3, 35, { ...moveAB, from: 'left' })], new Set());
    expect(two([1, 2], pendingExcept(), 0)).toBe(true);
    expect(two([1, 2], pendingExcept(2), 0)).toBe(false);
  });

  test('a move called after the deadline, a rotation, or a value pushed twice do not count; a move with a response that returns the element does', () => {
    const late = dequeExits(indexOf, 2, [...observers, open(2, 0, moveAB), open(3, 25, moveAB)], new Set());
    // 1 must be in b by 20: only the move called at 0 can take it; 2 (by 40) may take the other.
    expect(late([1, 2], pendingExcept(), 0)).toBe(true);
    expect(late([1, 2], pendingExcept(2), 0)).toBe(false);
    const rotation = dequeExits(indexOf, 2, [...observers, open(2, 0, { op: 'moveTo', deque: 'a', target: 'a' })], new Set());
    expect(rotation([1], pendingExcept(), 0)).toBe(false);
    expect(dequeExits(indexOf, 2, observers, new Set(['1']))([1], pendingExcept(), 0)).toBe(true);
    const own = dequeExits(indexOf, 2, [...observers, done(2, 5, 15, moveAB, 1)], new Set());
    expect(own([1], pendingExcept(), 0)).toBe(true);
    expect(own([2], pendingExcept(), 0)).toBe(false);
    // An element seen only in its own deque needs no move.
    expect(dequeExits(indexOf, 2, [done(1, 10, 20, { op: 'popLeft', deque: 'a' }, 1)], new Set())([1], pendingExcept(), 0)).toBe(true);
  });
});

describe('the rule for ends: an element to be seen at an end needs that end cleared in time, one removal per element', () => {
  // b = [1, 2, 3]; a popLeft of b returned 3 (returned at 20).
  const seen: Op = done(1, 10, 20, { op: 'popLeft', deque: 'b' }, 3);
  const rule = (...more: Op[]) => dequeObservedAtEnd(indexOf, 2, [seen, ...more], new Set());

  test('one lost popLeft cannot clear two elements off the left; their own pops can', () => {
    expect(rule(open(2, 0, { op: 'popLeft', deque: 'b' }))([1, 2, 3], pendingExcept(), 1)).toBe(false);
    expect(rule(open(2, 0, { op: 'popLeft', deque: 'b' }))([2, 3], pendingExcept(), 1)).toBe(true);
    expect(rule(open(2, 0, { op: 'popLeft', deque: 'b' }), done(3, 5, 30, { op: 'popLeft', deque: 'b' }, 1))([1, 2, 3], pendingExcept(), 1)).toBe(true);
    // Their own pops called after 20 are too late, and once the lost pop is used there is none.
    expect(rule(open(2, 0, { op: 'popLeft', deque: 'b' }), done(3, 25, 30, { op: 'popLeft', deque: 'b' }, 1))([1, 2, 3], pendingExcept(), 1)).toBe(false);
    expect(rule(open(2, 0, { op: 'popLeft', deque: 'b' }))([2, 3], pendingExcept(1), 1)).toBe(false);
  });

  test('an element may leave by the other end and come back; a value pushed twice is not watched', () => {
    const away = rule(open(2, 0, { op: 'moveTo', deque: 'b', target: 'a' }));
    expect(away([1, 2, 3], pendingExcept(), 1)).toBe(true);
    expect(away([1, 2, 3, 4], pendingExcept(), 1)).toBe(false);
    expect(dequeObservedAtEnd(indexOf, 2, [seen], new Set(['3']))([1, 2, 3], pendingExcept(), 1)).toBe(true);
  });
});

describe('the rule for lost values: a value still to be seen must not be gone for good', () => {
  const history: Op[] = [
    done(1, 0, 1, { op: 'append', deque: 'a', value: 1 }, null),
    open(2, 0, { op: 'popLeft', deque: 'a' }),
    done(1, 10, 11, { op: 'peek', deque: 'b' }, 1),
    done(1, 12, 13, { op: 'moveTo', deque: 'b', target: 'a' }, 1),
    done(1, 14, 15, { op: 'pop', deque: 'a' }, 1),
    open(3, 0, { op: 'clear', deque: 'b' }),
  ];
  const notLost = dequeLostValues(history, new Set());

  test('an open-ended pop or a clear that took it: refused while an observer is pending, not before its push', () => {
    expect(notLost([[], []], pendingExcept(0, 1), 1)).toBe(false);
    expect(notLost([[], [1]], pendingExcept(0, 1), 1)).toBe(true);
    expect(notLost([[], []], pendingExcept(1), 1)).toBe(true);
    expect(notLost([[], []], pendingExcept(0, 2, 3, 4, 5), 5)).toBe(true);
    expect(notLost([[], []], pendingExcept(0, 5), 5)).toBe(false);
    expect(dequeLostValues(history, new Set(['1']))([[], []], pendingExcept(0, 1), 1)).toBe(true);
  });

  test('a pop with a response: refused while another observer of its value is pending', () => {
    expect(notLost([[], []], pendingExcept(0, 4), 4)).toBe(false);
    expect(notLost([[], []], pendingExcept(0, 2, 3, 4), 4)).toBe(true);
  });

  test('in a search: the pending peek keeps the lost pop from taking the value, and the verdicts stay', () => {
    const operations: Op[] = [
      done(1, 0, 1, { op: 'append', deque: 'a', value: 1 }, null),
      done(1, 2, 3, { op: 'append', deque: 'a', value: 2 }, null),
      open(2, 4, { op: 'pop', deque: 'a' }),
      done(1, 10, 11, { op: 'peekLeft', deque: 'a' }, 1),
      done(1, 12, 13, { op: 'popLeft', deque: 'a' }, 1),
      done(1, 14, 15, { op: 'pop', deque: 'a' }, null),
    ];
    expect(checkLinearizability(model, operations).kind).toBe('ok');
    expect(checkLinearizability(model, operations.map((operation, at) => (at === 3 ? { ...operation, output: 2 } : operation))).kind).toBe('violation');
  });
});
