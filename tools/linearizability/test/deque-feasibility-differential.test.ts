/**
 * The deque model's feasibility test may only drop states without a
 * linearizable future, so it must never change a verdict. Checked here
 * against the plain search on random small histories: every operation of
 * every kind, rotations, values pushed twice, open-ended operations, and
 * outputs changed or swapped so that about half are violations. (A first
 * version read "a value pushed twice must leave" and refused linearizable
 * histories: about one in 300 of these.)
 */
import { checkLinearizability, dequeModel, type DequeInput, type DequeOutput, type HistoryOperation } from '../src';
import { appendDrain, generator, maybeSwapOutputs, outputsAt } from './helpers';

type Op = HistoryOperation<DequeInput<number>, DequeOutput<number>>;
const model = dequeModel<number>(['a', 'b']);
const plain = { ...model, feasibility: undefined };
const KINDS = ['append', 'appendLeft', 'extend', 'extendLeft', 'pop', 'popLeft', 'peek', 'peekLeft', 'moveTo', 'moveTo', 'pop', 'popLeft', 'length', 'clear'] as const;

/** Operations of a few clients with random overlaps, outputs from a random linearization, then damaged at random. */
function randomHistory(random: () => number): Op[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const clients = 2 + Math.floor(random() * 4);
  const duplicates = random() < 0.3;
  const free = new Array<number>(clients).fill(0);
  let fresh = 1;
  const value = (): number => (duplicates && random() < 0.15 ? 1 + Math.floor(random() * 3) : fresh++);
  const timed = Array.from({ length: 6 + Math.floor(random() * 14) }, () => {
    const client = Math.floor(random() * clients);
    const call = free[client]! + Math.floor(random() * 5);
    const length = 1 + Math.floor(random() * (random() < 0.2 ? 40 : 6));
    free[client] = call + length + 1;
    const deque = pick(['a', 'b']);
    const kind = pick(KINDS);
    const input: DequeInput<number> =
      kind === 'append' || kind === 'appendLeft'
        ? { op: kind, deque, value: value() }
        : kind === 'extend' || kind === 'extendLeft'
          ? { op: kind, deque, values: [value(), value()] }
          : kind === 'moveTo'
            ? { op: kind, deque, target: random() < 0.2 ? deque : deque === 'a' ? 'b' : 'a', from: pick(['left', 'right'] as const), to: pick(['left', 'right'] as const) }
            : { op: kind, deque };
    return { point: call + random() * length, operation: { client, input, call, return: call + length } as Op };
  });
  const state = outputsAt(model, timed);
  const operations = timed.map(({ operation }): Op => {
    const roll = random() * 3;
    if (roll < 0.08) return { client: operation.client, input: operation.input, call: operation.call, return: null, error: 'MCC_ERR_TIMEOUT' };
    if (roll < 0.14 && typeof operation.output === 'number' && operation.input.op !== 'length') return { ...operation, output: random() < 0.5 ? null : 1 + Math.floor(random() * fresh) };
    if (roll < 0.17 && operation.output === null && /pop|moveTo|peek/.test(operation.input.op)) return { ...operation, output: 1 + Math.floor(random() * fresh) };
    return operation;
  });
  const seen = operations.filter((operation) => operation.return !== null && typeof operation.output === 'number' && operation.input.op !== 'length');
  maybeSwapOutputs(random, seen, 0.3);
  // A drain at the end, as the suites record one.
  if (random() < 0.5) appendDrain(operations, state, Math.max(...free));
  return operations;
}

test('the feasibility test never changes a verdict: 1,500 random histories against the plain search', () => {
  const random = generator(20261201);
  const verdicts = { ok: 0, violation: 0 };
  for (let round = 0; round < 1500; round++) {
    const history = randomHistory(random);
    const expected = checkLinearizability(plain, history, { maxSteps: 1_000_000 });
    const result = checkLinearizability(model, history, { maxSteps: 1_000_000 });
    expect(expected.kind).not.toBe('unknown');
    if (result.kind !== expected.kind) throw new Error(`round ${round}: ${result.kind}, the plain search says ${expected.kind}: ${JSON.stringify(history)}`);
    expect(result.steps).toBeLessThanOrEqual(expected.steps);
    verdicts[result.kind as 'ok' | 'violation'] += 1;
  }
  // Both kinds, in numbers: the run tells something either way.
  expect(verdicts.ok).toBeGreaterThan(300);
  expect(verdicts.violation).toBeGreaterThan(300);
});
