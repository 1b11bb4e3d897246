/**
 * The reductions for open-ended operations — the checker's (twins in call
 * order, no step that changes nothing) and the deque feasibility test's
 * rule for moves (models/deque-exits.ts) — may only drop what has no
 * linearizable future, so they must never change a verdict. Checked
 * against the plain search (no feasibility test, no reductions) on random
 * small histories in the shape the permissive suites record: two deques,
 * many moves between them (rotations too), a third or more of them lost
 * (open-ended), lost pops and pushes, twins, values pushed twice, a drain
 * at the end, and outputs damaged or swapped so that many are violations.
 */
import { checkLinearizability, dequeModel, type DequeInput, type DequeOutput, type HistoryOperation } from '../src';
import { appendDrain, generator, maybeSwapOutputs, outputsAt, replays } from './helpers';

type Op = HistoryOperation<DequeInput<number>, DequeOutput<number>>;
const model = dequeModel<number>(['a', 'b']);
const plain = { ...model, feasibility: undefined };
const KINDS = ['append', 'appendLeft', 'extend', 'pop', 'popLeft', 'peek', 'moveTo', 'moveTo', 'moveTo', 'moveTo', 'clear'] as const;

/** Operations of a few clients with random overlaps, outputs from a random linearization, some lost, some damaged. */
function randomHistory(random: () => number): Op[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const clients = 2 + Math.floor(random() * 4);
  const duplicates = random() < 0.2;
  const clears = random() < 0.2;
  const free = new Array<number>(clients).fill(0);
  let fresh = 1;
  const value = (): number => (duplicates && random() < 0.15 ? 1 + Math.floor(random() * 3) : fresh++);
  // Few move shapes, so that lost moves are often twins.
  const shapes = [{ from: 'right', to: 'left' }, { from: 'left', to: 'right' }, { from: pick(['left', 'right'] as const), to: pick(['left', 'right'] as const) }] as const;
  const timed = Array.from({ length: 6 + Math.floor(random() * 11) }, () => {
    const client = Math.floor(random() * clients);
    const call = free[client]! + Math.floor(random() * 5);
    const length = 1 + Math.floor(random() * (random() < 0.2 ? 40 : 6));
    free[client] = call + length + 1;
    const deque = pick(['a', 'b']);
    let kind = pick(KINDS);
    if (kind === 'clear' && !clears) kind = 'moveTo';
    const input: DequeInput<number> =
      kind === 'append' || kind === 'appendLeft'
        ? { op: kind, deque, value: value() }
        : kind === 'extend'
          ? { op: kind, deque, values: [value(), value()] }
          : kind === 'moveTo'
            ? { op: kind, deque, target: random() < 0.15 ? deque : deque === 'a' ? 'b' : 'a', ...pick(shapes) }
            : { op: kind, deque };
    return { point: call + random() * length, operation: { client, input, call, return: call + length } as Op };
  });
  const state = outputsAt(model, timed);
  const lost = 0.2 + random() * 0.4;
  const operations = timed.map(({ operation }): Op => {
    const roll = random();
    if (roll < (operation.input.op === 'moveTo' ? lost : lost / 3)) return { client: operation.client, input: operation.input, call: operation.call, return: null, error: 'MCC_ERR_TIMEOUT' };
    if (roll > 0.96 && operation.input.op !== 'length') return { ...operation, output: random() < 0.3 ? null : 1 + Math.floor(random() * fresh) };
    return operation;
  });
  const seen = operations.filter((operation) => operation.return !== null && typeof operation.output === 'number');
  maybeSwapOutputs(random, seen, 0.2);
  // A drain at the end, as the suites record one: every lost move must then be explained by where the values are.
  if (random() < 0.7) appendDrain(operations, state, Math.max(...free));
  return operations;
}

test('the reductions for open-ended operations never change a verdict: 400 random histories against the plain search', () => {
  const random = generator(20261202);
  const verdicts = { ok: 0, violation: 0 };
  let steps = 0;
  let plainSteps = 0;
  for (let round = 0; round < 400; round++) {
    const history = randomHistory(random);
    const expected = checkLinearizability(plain, history, { maxSteps: 1_000_000, openReductions: false });
    const result = checkLinearizability(model, history, { maxSteps: 1_000_000 });
    expect(expected.kind).not.toBe('unknown');
    if (result.kind !== expected.kind) throw new Error(`round ${round}: ${result.kind}, the plain search says ${expected.kind}: ${JSON.stringify(history)}`);
    if (result.kind === 'ok' && !replays(model, history, result.linearization)) throw new Error(`round ${round}: the linearization does not replay: ${JSON.stringify(history)}`);
    verdicts[result.kind as 'ok' | 'violation'] += 1;
    steps += result.steps;
    plainSteps += expected.steps;
  }
  // Both kinds, in numbers: the run tells something either way; and the reductions do reduce.
  expect(verdicts.ok).toBeGreaterThan(80);
  expect(verdicts.violation).toBeGreaterThan(80);
  expect(steps).toBeLessThan(plainSteps);
});
