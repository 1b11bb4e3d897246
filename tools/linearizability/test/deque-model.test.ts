import { checkLinearizability, dequeModel, type DequeInput, type DequeOutput, type HistoryOperation } from '../src';
import { done, open } from './helpers';

type Op = HistoryOperation<DequeInput<number>, DequeOutput<number>>;
const model = dequeModel<number>(['a', 'b']);
const check = (operations: Op[]) => checkLinearizability(model, operations).kind;

describe('the sequential deque model', () => {
  test('both ends, extend, extendLeft (last ends leftmost), length, peeks, clear', () => {
    let state = model.init();
    const run = (input: DequeInput<number>) => {
      const next = model.step(state, input);
      state = next.state;
      return next.output;
    };
    run({ op: 'append', deque: 'a', value: 1 });
    run({ op: 'appendLeft', deque: 'a', value: 0 });
    run({ op: 'extend', deque: 'a', values: [2, 3] });
    run({ op: 'extendLeft', deque: 'a', values: [-1, -2] });
    expect(state[0]).toEqual([-2, -1, 0, 1, 2, 3]);
    expect(run({ op: 'length', deque: 'a' })).toBe(6);
    expect(run({ op: 'peek', deque: 'a' })).toBe(3);
    expect(run({ op: 'peekLeft', deque: 'a' })).toBe(-2);
    expect(run({ op: 'pop', deque: 'a' })).toBe(3);
    expect(run({ op: 'popLeft', deque: 'a' })).toBe(-2);
    expect(run({ op: 'pop', deque: 'b' })).toBeNull();
    run({ op: 'clear', deque: 'a' });
    expect(state).toEqual([[], []]);
  });

  test('moveTo between deques and within one (a rotation); an empty source moves nothing', () => {
    const s0 = model.step(model.init(), { op: 'extend', deque: 'a', values: [1, 2, 3] }).state;
    const moved = model.step(s0, { op: 'moveTo', deque: 'a', target: 'b' });
    expect(moved.output).toBe(3);
    expect(moved.state).toEqual([[1, 2], [3]]);
    const leftToRight = model.step(moved.state, { op: 'moveTo', deque: 'a', target: 'b', from: 'left', to: 'right' });
    expect(leftToRight.state).toEqual([[2], [3, 1]]);
    const rotated = model.step(s0, { op: 'moveTo', deque: 'a', target: 'a' });
    expect(rotated.state).toEqual([[3, 1, 2], []]);
    const empty = model.step(model.init(), { op: 'moveTo', deque: 'b', target: 'a' });
    expect(empty).toEqual({ state: [[], []], output: null });
  });

  test('never mutates a state it was given', () => {
    const s0 = model.step(model.init(), { op: 'extend', deque: 'a', values: [1, 2] }).state;
    const copy = JSON.stringify(s0);
    model.step(s0, { op: 'pop', deque: 'a' });
    model.step(s0, { op: 'moveTo', deque: 'a', target: 'b' });
    expect(JSON.stringify(s0)).toBe(copy);
  });

  test('an unknown deque name is a clear error', () => {
    expect(() => model.step(model.init(), { op: 'pop', deque: 'c' })).toThrow(/no deque "c"/);
  });
});

describe('deque histories', () => {
  test('a sequential history is linearizable', () => {
    expect(check([
      done(1, 0, 1, { op: 'append', deque: 'a', value: 1 }, null),
      done(1, 2, 3, { op: 'append', deque: 'a', value: 2 }, null),
      done(1, 4, 5, { op: 'popLeft', deque: 'a' }, 1),
      done(1, 6, 7, { op: 'length', deque: 'a' }, 1),
    ])).toBe('ok');
  });

  test('overlapping operations may take effect in either order', () => {
    expect(check([
      done(1, 0, 10, { op: 'append', deque: 'a', value: 1 }, null),
      done(2, 1, 9, { op: 'append', deque: 'a', value: 2 }, null),
      done(3, 11, 12, { op: 'popLeft', deque: 'a' }, 2),
      done(3, 13, 14, { op: 'popLeft', deque: 'a' }, 1),
    ])).toBe('ok');
  });

  test('FIFO order against real time is a violation', () => {
    expect(check([
      done(1, 0, 1, { op: 'append', deque: 'a', value: 1 }, null),
      done(2, 2, 3, { op: 'append', deque: 'a', value: 2 }, null),
      done(3, 4, 5, { op: 'popLeft', deque: 'a' }, 2),
    ])).toBe('violation');
  });

  test('a value popped twice, or never pushed, is a violation', () => {
    expect(check([
      done(1, 0, 1, { op: 'append', deque: 'a', value: 1 }, null),
      done(2, 2, 5, { op: 'pop', deque: 'a' }, 1),
      done(3, 3, 6, { op: 'pop', deque: 'a' }, 1),
    ])).toBe('violation');
    expect(check([done(1, 0, 1, { op: 'pop', deque: 'a' }, 7)])).toBe('violation');
  });

  test('a pop that returned before the push was invoked cannot see it', () => {
    expect(check([
      done(1, 0, 1, { op: 'pop', deque: 'a' }, 1),
      done(2, 2, 3, { op: 'append', deque: 'a', value: 1 }, null),
    ])).toBe('violation');
  });

  // The first shape of issue 9 §3.
  test('a moveTo that returned a value which is later popped from the source is a violation', () => {
    const history: Op[] = [
      done(1, 0, 1, { op: 'extend', deque: 'a', values: [1, 2] }, null),
      done(2, 2, 6, { op: 'moveTo', deque: 'a', target: 'b' }, 2),
      open(3, 3, { op: 'append', deque: 'b', value: 9 }),
      done(4, 7, 8, { op: 'pop', deque: 'a' }, 2),
      done(4, 9, 10, { op: 'pop', deque: 'b' }, null),
    ];
    expect(check(history)).toBe('violation');
    // The same moveTo with the value found in the target is fine.
    expect(check([...history.slice(0, 3), done(4, 7, 8, { op: 'pop', deque: 'a' }, 1), done(4, 9, 10, { op: 'popLeft', deque: 'b' }, 2)])).toBe('ok');
  });

  // The second shape of issue 9 §3.
  test('a pushed value that vanishes while a long moveTo returns undefined is a violation', () => {
    const history: Op[] = [
      done(1, 0, 1, { op: 'append', deque: 'a', value: 5 }, null),
      done(2, 2, 20, { op: 'moveTo', deque: 'a', target: 'b' }, null),
      done(3, 3, 4, { op: 'append', deque: 'a', value: 6 }, null),
      done(3, 5, 6, { op: 'pop', deque: 'a' }, 6),
      done(4, 21, 22, { op: 'pop', deque: 'a' }, null),
      done(4, 23, 24, { op: 'pop', deque: 'b' }, null),
    ];
    expect(check(history)).toBe('violation');
    // Had the move found the deque empty after a pop of 5, all is well.
    expect(check([...history.slice(0, 3), done(3, 5, 6, { op: 'pop', deque: 'a' }, 6), done(5, 3, 7, { op: 'pop', deque: 'a' }, 5), ...history.slice(4)])).toBe('ok');
  });

  test('a moved value cannot be in both deques', () => {
    expect(check([
      done(1, 0, 1, { op: 'append', deque: 'a', value: 1 }, null),
      done(2, 2, 3, { op: 'moveTo', deque: 'a', target: 'b', to: 'right' }, 1),
      done(3, 4, 5, { op: 'peek', deque: 'b' }, 1),
      done(3, 6, 7, { op: 'peek', deque: 'a' }, 1),
    ])).toBe('violation');
  });
});

describe('open-ended operations (outcome unknown)', () => {
  test('may have happened: a later pop sees the value', () => {
    expect(check([
      open(1, 0, { op: 'append', deque: 'a', value: 1 }),
      done(2, 5, 6, { op: 'pop', deque: 'a' }, 1),
    ])).toBe('ok');
  });

  test('may never have happened: later pops find the deque empty', () => {
    expect(check([
      open(1, 0, { op: 'append', deque: 'a', value: 1 }),
      done(2, 5, 6, { op: 'pop', deque: 'a' }, null),
      done(2, 7, 8, { op: 'length', deque: 'a' }, 0),
    ])).toBe('ok');
  });

  test('may take effect long after its invocation, but not before it', () => {
    expect(check([
      done(2, 0, 1, { op: 'pop', deque: 'a' }, null),
      open(1, 2, { op: 'append', deque: 'a', value: 1 }),
      done(2, 3, 4, { op: 'pop', deque: 'a' }, null),
      done(2, 50, 51, { op: 'pop', deque: 'a' }, 1),
    ])).toBe('ok');
    expect(check([
      done(2, 0, 1, { op: 'pop', deque: 'a' }, 1),
      open(1, 2, { op: 'append', deque: 'a', value: 1 }),
    ])).toBe('violation');
  });

  test('happens at most once', () => {
    expect(check([
      open(1, 0, { op: 'append', deque: 'a', value: 1 }),
      done(2, 5, 6, { op: 'pop', deque: 'a' }, 1),
      done(2, 7, 8, { op: 'pop', deque: 'a' }, 1),
    ])).toBe('violation');
  });

  test('an open-ended moveTo is all or nothing', () => {
    const start: Op = done(1, 0, 1, { op: 'append', deque: 'a', value: 1 }, null);
    const move: Op = open(2, 2, { op: 'moveTo', deque: 'a', target: 'b' });
    expect(check([start, move, done(3, 5, 6, { op: 'pop', deque: 'b' }, 1), done(3, 7, 8, { op: 'pop', deque: 'a' }, null)])).toBe('ok');
    expect(check([start, move, done(3, 5, 6, { op: 'pop', deque: 'b' }, null), done(3, 7, 8, { op: 'pop', deque: 'a' }, 1)])).toBe('ok');
    expect(check([start, move, done(3, 5, 6, { op: 'pop', deque: 'b' }, 1), done(3, 7, 8, { op: 'pop', deque: 'a' }, 1)])).toBe('violation');
  });
});

describe('what the search may leave out (dequeModel.needed)', () => {
  test('an open-ended push nobody saw is not needed; one whose value was seen, or that a length may have counted, is', () => {
    const unseen: Op = open(1, 0, { op: 'append', deque: 'a', value: 9 });
    const seen: Op = open(1, 0, { op: 'extend', deque: 'a', values: [7, 8] });
    const popSeven: Op = done(2, 5, 6, { op: 'popLeft', deque: 'a' }, 7);
    expect(model.needed!([unseen, seen, popSeven])).toEqual([false, true, true]);
    const length: Op = done(3, 10, 11, { op: 'length', deque: 'a' }, 1);
    expect(model.needed!([unseen, length])).toEqual([true, true]);
  });

  test('leaving them out changes no verdict', () => {
    // The unseen push must not rescue a violation, nor break a linearizable history.
    expect(check([open(1, 0, { op: 'append', deque: 'a', value: 9 }), done(2, 5, 6, { op: 'pop', deque: 'a' }, 3)])).toBe('violation');
    expect(check([open(1, 0, { op: 'append', deque: 'a', value: 9 }), done(2, 5, 6, { op: 'pop', deque: 'a' }, null)])).toBe('ok');
    // With a length that counted it, it is needed and found.
    expect(check([open(1, 0, { op: 'append', deque: 'a', value: 9 }), done(2, 5, 6, { op: 'length', deque: 'a' }, 1), open(3, 7, { op: 'pop', deque: 'a' })])).toBe('ok');
  });

  test('open-ended read-only operations are left out of the search', () => {
    const result = checkLinearizability(model, [open(1, 0, { op: 'peek', deque: 'a' }), done(2, 1, 2, { op: 'append', deque: 'a', value: 1 }, null)]);
    expect(result).toMatchObject({ kind: 'ok', linearization: [1] });
  });
});
