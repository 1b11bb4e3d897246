import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkLinearizability, fromPorcupineOperations, type HistoryOperation, type PorcupineOperation, queueModel, type QueueInput, type QueueModelOptions, type QueueOutput } from '../src';
import { done, open, replays } from './helpers';

type Op = HistoryOperation<QueueInput<number>, QueueOutput<number>>;

/** `n` concurrent pushes (values 0…n-1), then a sequential drain claiming and acking in `order`, and a final claim. */
function pushesThenDrain(n: number, order: readonly number[]): Op[] {
  const pushes = Array.from({ length: n }, (_, value): Op => done(value, 0, 100, { op: 'push', value }, null));
  const drain = order.flatMap((value, at): Op[] => [
    done(99, 101 + 4 * at, 102 + 4 * at, { op: 'claim' }, { value, deliveries: 1 }),
    done(99, 103 + 4 * at, 104 + 4 * at, { op: 'ack', value, delivery: 1 }, 'ok'),
  ]);
  return [...pushes, ...drain, done(99, 1000, 1001, { op: 'claim', final: true }, null)];
}

describe("the queue model's feasibility test", () => {
  const model = queueModel<number>({ lostClaims: false });
  const plain = { ...model, feasibility: undefined };

  test('concurrent pushes whose order only a later drain reveals: decided at once, where the plain search gives up', () => {
    // The search tries the pushes in index order; the drain wants the reverse: a wrong order is dropped as soon as a push
    // is made before one whose job must be claimed first.
    const reversed = pushesThenDrain(9, [8, 7, 6, 5, 4, 3, 2, 1, 0]);
    expect(checkLinearizability(plain, reversed, { maxSteps: 30_000 }).kind).toBe('unknown');
    const result = checkLinearizability(model, reversed, { maxSteps: 100_000 });
    expect(result.kind).toBe('ok');
    expect(result.steps).toBeLessThan(300);
    expect(result.kind === 'ok' && replays(queueModel<number>({ lostClaims: false }), reversed, result.linearization)).toBe(true);
    // Job 0 pushed before the others were called must come out first: no order explains it last.
    const late = pushesThenDrain(9, [8, 7, 6, 5, 4, 3, 2, 1, 0]).map((operation, index) => (index === 0 ? { ...operation, return: 1 } : index < 9 ? { ...operation, call: 2 } : operation));
    expect(checkLinearizability(plain, late, { maxSteps: 30_000 }).kind).toBe('unknown');
    expect(checkLinearizability(model, late, { maxSteps: 100_000 })).toMatchObject({ kind: 'violation' });
  });

  test('jobs skipped by ghosts need no claim of their own, as many as there may be ghosts', () => {
    const lossy = queueModel<number>();
    // Jobs 0 and 1 pushed first, then 2; a lost claim and a null claim may each have leased one to nobody.
    const history = (ghosts: Op[]): Op[] => [done(1, 0, 1, { op: 'push', value: 0 }, null), done(1, 2, 3, { op: 'push', value: 1 }, null), done(1, 4, 5, { op: 'push', value: 2 }, null), ...ghosts, done(3, 20, 21, { op: 'claim' }, { value: 2, deliveries: 1 })];
    expect(checkLinearizability(lossy, history([open(2, 6, { op: 'claim' }), done(2, 8, 9, { op: 'claim' }, null)])).kind).toBe('ok');
    expect(checkLinearizability(lossy, history([open(2, 6, { op: 'claim' })])).kind).toBe('violation');
    // A ghost made after the claim returned cannot have taken a job before it.
    expect(checkLinearizability(lossy, history([open(2, 6, { op: 'claim' }), done(2, 30, 31, { op: 'claim' }, null)])).kind).toBe('violation');
  });

  test('a queue soak history (160 operations, 9 clients, faults) that 8.8 M plain steps could not decide is linearizable', () => {
    // Recorded by `pnpm load linearizability` (queue, seed 741178): concurrent pushes whose order only claims much later show.
    const file = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', 'queue-soak-seed-741178.json'), 'utf8')) as { options: QueueModelOptions; operations: PorcupineOperation[] };
    const operations = fromPorcupineOperations<QueueInput<number>, QueueOutput<number>>(file.operations);
    const soak = queueModel<number>(file.options);
    expect(checkLinearizability({ ...soak, feasibility: undefined }, operations, { maxSteps: 20_000 }).kind).toBe('unknown');
    const result = checkLinearizability(soak, operations, { maxSteps: 200_000 });
    expect(result.kind).toBe('ok');
    expect(result.steps).toBeLessThan(30_000);
    expect(result.kind === 'ok' && replays(queueModel<number>(file.options), operations, result.linearization)).toBe(true);
  });
});
