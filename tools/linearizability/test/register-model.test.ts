import { checkLinearizability, registerModel, type HistoryOperation, type RegisterInput, type RegisterOutput } from '../src';
import { done, open } from './helpers';

type Op = HistoryOperation<RegisterInput<string>, RegisterOutput<string>>;
const model = registerModel<string>({ x: 'x0', y: 'y0' });
const check = (operations: Op[]) => checkLinearizability(model, operations).kind;
const swap = (expectedX: string, x: string, expectedY: string, y: string): RegisterInput<string> => ({
  op: 'mcas',
  updates: [{ key: 'x', expected: expectedX, value: x }, { key: 'y', expected: expectedY, value: y }],
});

test('an mcas changes every location or none', () => {
  const applied = model.step(model.init(), swap('x0', 'x1', 'y0', 'y1'));
  expect(applied).toEqual({ state: { x: 'x1', y: 'y1' }, output: true });
  const refused = model.step(applied.state, swap('x0', 'x2', 'y1', 'y2'));
  expect(refused).toEqual({ state: { x: 'x1', y: 'y1' }, output: false });
  expect(model.step(refused.state, { op: 'read', keys: ['y', 'x', 'z'] }).output).toEqual(['y1', 'x1', null]);
  expect(model.step(model.init(), { op: 'write', key: 'z', value: 'z1' }).state).toEqual({ x: 'x0', y: 'y0', z: 'z1' });
});

test('histories that respect atomicity and real time are linearizable', () => {
  expect(check([
    done(1, 0, 5, swap('x0', 'x1', 'y0', 'y1'), true),
    done(2, 1, 4, swap('x0', 'x2', 'y0', 'y2'), false),
    done(3, 6, 7, { op: 'read', keys: ['x'] }, ['x1']),
    done(3, 8, 9, { op: 'read', keys: ['y'] }, ['y1']),
  ])).toBe('ok');
});

test('half an mcas visible is a violation', () => {
  expect(check([
    done(1, 0, 1, swap('x0', 'x1', 'y0', 'y1'), true),
    done(3, 2, 3, { op: 'read', keys: ['x'] }, ['x1']),
    done(3, 4, 5, { op: 'read', keys: ['y'] }, ['y0']),
  ])).toBe('violation');
});

test('two mcas from the same values cannot both succeed', () => {
  expect(check([
    done(1, 0, 5, swap('x0', 'x1', 'y0', 'y1'), true),
    done(2, 1, 4, swap('x0', 'x2', 'y0', 'y2'), true),
  ])).toBe('violation');
});

test('a spurious false (every value as expected) is allowed, and changes nothing; the strict model refuses it', () => {
  const history: Op[] = [
    done(1, 0, 1, swap('x0', 'x1', 'y0', 'y1'), false),
    done(3, 2, 3, { op: 'read', keys: ['x', 'y'] }, ['x0', 'y0']),
  ];
  expect(check(history)).toBe('ok');
  expect(checkLinearizability(registerModel<string>({ x: 'x0', y: 'y0' }, { strict: true }), history).kind).toBe('violation');
});

test('an mcas that reported false changed nothing', () => {
  expect(check([
    done(1, 0, 1, swap('x0', 'x1', 'y0', 'y1'), false),
    done(3, 2, 3, { op: 'read', keys: ['x', 'y'] }, ['x1', 'y1']),
  ])).toBe('violation');
});

test('an mcas with an unknown outcome is atomic either way', () => {
  const unknown = open<RegisterInput<string>, RegisterOutput<string>>(1, 0, swap('x0', 'x1', 'y0', 'y1'));
  expect(check([unknown, done(3, 2, 3, { op: 'read', keys: ['x', 'y'] }, ['x1', 'y1'])])).toBe('ok');
  expect(check([unknown, done(3, 2, 3, { op: 'read', keys: ['x', 'y'] }, ['x0', 'y0'])])).toBe('ok');
  expect(check([unknown, done(3, 2, 3, { op: 'read', keys: ['x'] }, ['x1']), done(3, 4, 5, { op: 'read', keys: ['y'] }, ['y0'])])).toBe('violation');
});
