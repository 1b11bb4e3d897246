/**
 * Histories of many clients (each its own store, so its own engine: separate
 * "processes" racing for the anchors, with back-off and reads behind refused
 * CASes) on two deques with small chunks and large values, checked with the
 * project's linearizability checker: pushes at both ends, pops, peeks,
 * length, moves between the deques and rotations within one.
 */
import { useMemcached, seededRandom } from '@mcc/harness';
import { HistoryRecorder, dequeModel, requireLinearizable, type DequeInput } from '@mcc/linearizability';
import { Deque } from '../src';
import { storeFactory } from './helpers';

jest.setTimeout(60_000);
const cluster = useMemcached(2, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

const CLIENTS = 5;
const CALLERS = 2;
const OPERATIONS = 6;
/** Small chunks, and values over 48 encoded bytes in items of their own. */
const OPTIONS = { flushBytes: 96, inlineMaxBytes: 48 };

async function history(seed: number): Promise<ReturnType<HistoryRecorder<DequeInput, unknown>['operations']>> {
  const names = [`lin-a-${seed}-${Date.now()}`, `lin-b-${seed}-${Date.now()}`];
  const setup = stores.open(cluster.addresses);
  await Promise.all(names.map((name) => Deque.create(setup, name, OPTIONS)));
  const recorder = new HistoryRecorder<DequeInput, unknown>();
  const next = seededRandom(seed);
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      const store = stores.open(cluster.addresses);
      const deques = names.map((name) => Deque.bind(store, name, OPTIONS));
      await Promise.all(
        Array.from({ length: CALLERS }, async (_, caller) => {
          const id = client * CALLERS + caller;
          for (let i = 0; i < OPERATIONS; i++) {
            const which = next() < 0.6 ? 0 : 1;
            const deque = deques[which]!;
            const other = deques[1 - which]!;
            const name = names[which]!;
            // Unique values; every third one large (its own item).
            const value = `${id}.${i}${i % 3 === 2 ? `:${'x'.repeat(60)}` : ''}`;
            const roll = next();
            const run = <R>(input: DequeInput, operation: () => Promise<R>): Promise<unknown> => recorder.record(id, input, operation);
            if (roll < 0.25) await run({ op: 'append', deque: name, value }, () => deque.append(value));
            else if (roll < 0.4) await run({ op: 'appendLeft', deque: name, value }, () => deque.appendLeft(value));
            else if (roll < 0.55) await run({ op: 'popLeft', deque: name }, () => deque.popLeft());
            else if (roll < 0.65) await run({ op: 'pop', deque: name }, () => deque.pop());
            else if (roll < 0.72) await run({ op: 'peek', deque: name }, () => deque.peek());
            else if (roll < 0.77) await run({ op: 'peekLeft', deque: name }, () => deque.peekLeft());
            else if (roll < 0.82) await run({ op: 'length', deque: name }, () => deque.length());
            else if (roll < 0.91) await run({ op: 'moveTo', deque: name, target: names[1 - which]!, from: 'right', to: 'left' }, () => deque.moveTo(other));
            else await run({ op: 'moveTo', deque: name, target: name, from: 'left', to: 'right' }, () => deque.moveTo(deque, { from: 'left', to: 'right' }));
          }
        }),
      );
    }),
  );
  expect(recorder.stats.unexpected).toBe(0);
  expect(recorder.unexpectedErrors).toEqual([]);
  return recorder.operations();
}

describe('histories of 5 clients × 2 callers on two deques, under contention', () => {
  const seeds = [11, 23, 47, Math.floor(Math.random() * 2 ** 31)];
  it.each(seeds)('are linearizable (seed %i)', async (seed) => {
    const operations = await history(seed);
    expect(operations).toHaveLength(CLIENTS * CALLERS * OPERATIONS);
    const names = operations.map((op) => op.input.deque).filter((name, index, all) => all.indexOf(name) === index).sort();
    const result = await requireLinearizable(dequeModel(names), operations, { name: `deque-contention-seed-${seed}`, timeoutMs: 20_000 });
    expect(result.linearization).toHaveLength(operations.length);
  });
});
