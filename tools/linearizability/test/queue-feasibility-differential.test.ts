/**
 * The queue model's new state (numbers and status letters) must be the old
 * model's state in another form, and its feasibility test may only drop
 * states without a linearizable future: neither may change a verdict.
 * Checked here against the old model (test/queue-model-reference.ts, the
 * plain search) on random small histories: pushes and pushMany, claims,
 * acks, nacks, extends of held deliveries, expireAll, a drain with a final
 * claim, every option (expiry, lost claims, maxDeliveries), values pushed
 * twice, open-ended operations, and outputs changed or swapped so that
 * many are violations.
 */
import { checkLinearizability, type HistoryOperation, queueModel, type QueueInput, type QueueModelOptions, type QueueOutput } from '../src';
import { referenceQueueModel } from './queue-model-reference';
import { generator } from './helpers';

type Op = HistoryOperation<QueueInput<number>, QueueOutput<number>>;
type Job = { value: number; deliveries: number };

const KINDS = ['push', 'push', 'pushMany', 'claim', 'claim', 'claim', 'settle', 'settle', 'settle'] as const;

/** Operations of a few clients with random overlaps, outputs from a random linearization (the new model), then damaged at random. */
function randomHistory(random: () => number, options: QueueModelOptions): Op[] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const model = queueModel<number>(options);
  const clients = 2 + Math.floor(random() * 4);
  const duplicates = random() < 0.15;
  const free = new Array<number>(clients).fill(0);
  let fresh = 1;
  const value = (): number => (duplicates && random() < 0.2 ? 1 + Math.floor(random() * 3) : fresh++);
  const timed = Array.from({ length: 6 + Math.floor(random() * 12) }, () => {
    const client = Math.floor(random() * clients);
    const call = free[client]! + Math.floor(random() * 5);
    const length = 1 + Math.floor(random() * (random() < 0.2 ? 40 : 6));
    free[client] = call + length + 1;
    return { point: call + random() * length, kind: pick(KINDS), operation: { client, call, return: call + length } as Op };
  });
  // Inputs and outputs in the order of the linearization points: settles pick a delivery handed out before.
  let state = model.init();
  const handedOut: Job[] = [];
  const expireAt = random() < 0.3 ? Math.floor(random() * timed.length) : -1;
  [...timed].sort((x, y) => x.point - y.point).forEach(({ kind, operation }, index) => {
    const o = operation as { input: QueueInput<number>; output?: QueueOutput<number> };
    if (index === expireAt) o.input = { op: 'expireAll' };
    else if (kind === 'push') o.input = { op: 'push', value: value() };
    else if (kind === 'pushMany') o.input = { op: 'pushMany', values: [value(), value()] };
    else if (kind === 'settle' && handedOut.length > 0) {
      const job = pick(handedOut);
      o.input = { op: pick(['ack', 'ack', 'nack', 'extend'] as const), value: job.value, delivery: job.deliveries };
    } else o.input = { op: 'claim' };
    let observed: QueueOutput<number> | undefined;
    if (o.input.op === 'claim') {
      const expected = model.step(state, o.input).output;
      observed = random() < 0.15 ? null : expected;
      if (observed !== null && typeof observed === 'object') handedOut.push(observed);
    }
    const next = model.step(state, o.input, observed);
    state = next.state;
    o.output = next.output;
  });
  const operations = timed.map(({ operation }): Op => {
    const roll = random();
    if (roll < 0.08) return { client: operation.client, input: operation.input, call: operation.call, return: null, error: 'MCC_ERR_TIMEOUT' };
    const output = operation.output;
    if (roll < 0.14 && output !== null && typeof output === 'object') return { ...operation, output: random() < 0.5 ? null : { value: output.value, deliveries: output.deliveries + (random() < 0.5 ? 1 : -1) } };
    if (roll < 0.17 && output === null && operation.input.op === 'claim') return { ...operation, output: { value: 1 + Math.floor(random() * fresh), deliveries: 1 } };
    return operation;
  });
  const got = operations.filter((operation) => operation.return !== null && operation.input.op === 'claim' && operation.output !== null && typeof operation.output === 'object');
  if (random() < 0.3 && got.length > 1) {
    const [x, y] = [pick(got), pick(got)];
    [(x as { output?: unknown }).output, (y as { output?: unknown }).output] = [y.output, x.output];
  }
  if (random() < 0.6) {
    // A drain at the end, as the suite records one: claims of what is there (acked), then a final claim.
    let time = Math.max(...free) + 2;
    for (let round = 0; round < 12; round++) {
      const input: QueueInput<number> = { op: 'claim' };
      const output = model.step(state, input).output;
      if (output === null || typeof output !== 'object') break;
      state = model.step(state, input, output).state;
      operations.push({ client: 99, input, call: time, return: time + 1, output });
      const ack: QueueInput<number> = { op: 'ack', value: output.value, delivery: output.deliveries };
      state = model.step(state, ack).state;
      operations.push({ client: 99, input: ack, call: time + 2, return: time + 3, output: 'ok' });
      time += 4;
    }
    operations.push({ client: 99, input: { op: 'claim', final: true }, call: time, return: time + 1, output: null });
  }
  return operations;
}

test('the new state and the feasibility test never change a verdict: 600 random histories against the old model', () => {
  const random = generator(20261202);
  const verdicts = { ok: 0, violation: 0 };
  let pruned = 0;
  for (let round = 0; round < 600; round++) {
    const options: QueueModelOptions = { expiry: random() < 0.3, lostClaims: random() < 0.7, maxDeliveries: random() < 0.5 ? 2 + Math.floor(random() * 2) : Infinity };
    const history = randomHistory(random, options);
    const expected = checkLinearizability(referenceQueueModel<number>(options), history, { maxSteps: 1_000_000 });
    const model = queueModel<number>(options);
    const plain = checkLinearizability({ ...model, feasibility: undefined }, history, { maxSteps: 1_000_000 });
    const result = checkLinearizability(model, history, { maxSteps: 1_000_000 });
    expect(expected.kind).not.toBe('unknown');
    const replay = `round ${round}, ${JSON.stringify(options)}: ${JSON.stringify(history)}`;
    // The same search step for step: the new state is the old one, keyed as finely.
    if (plain.kind !== expected.kind || plain.steps !== expected.steps) throw new Error(`${replay}: plain ${plain.kind} in ${plain.steps} steps, the old model ${expected.kind} in ${expected.steps}`);
    if (result.kind !== expected.kind) throw new Error(`${replay}: ${result.kind}, the old model says ${expected.kind}`);
    expect(result.steps).toBeLessThanOrEqual(expected.steps);
    if (result.steps < expected.steps) pruned += 1;
    verdicts[result.kind as 'ok' | 'violation'] += 1;
  }
  // Both kinds, in numbers, and the test dropping states in many: the run tells something either way.
  expect(verdicts.ok).toBeGreaterThan(200);
  expect(verdicts.violation).toBeGreaterThan(200);
  expect(pruned).toBeGreaterThan(100);
});
