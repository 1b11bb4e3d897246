/**
 * A deque on a full `-M` server (memcached refuses new items instead of
 * evicting): every refused write must leave the deque exactly as the
 * acknowledged operations made it. memcached 1.6.18 unlinks the key's
 * current item when it refuses a `set` — CAS or not — so an anchor written
 * that way would vanish with every value in the deque (docs/FORMAT.md,
 * "Server facts").
 */
import { fillMemory, useMemcached } from '@mcc/harness';
import { Deque, DequeOutcomeUnknownError, ServerError } from '../src';
import { storeFactory } from './helpers';

const memcached = useMemcached(1, { evictions: false, memoryMb: 2 });
const stores = storeFactory();
afterAll(() => stores.closeAll());

/** A value whose size varies from a few bytes to over inlineMaxBytes (then stored in its own item). */
function valueOf(i: number): { i: number; pad: string } {
  return { i, pad: 'x'.repeat((i * 397) % 3000) };
}

test('survives any number of refused writes; its content is exactly what was acknowledged', async () => {
  const store = stores.open(memcached.addresses);
  const deque = await Deque.create<{ i: number; pad: string }>(store, undefined, { flushBytes: 2048 });
  const model: { i: number; pad: string }[] = [];
  for (let i = 0; i < 30; i++) {
    await deque.append(valueOf(i));
    model.push(valueOf(i));
  }
  let refused = 0;
  let seed = 11;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  /** One random operation, applied to the model only if it was acknowledged. */
  const step = async (i: number): Promise<boolean> => {
    const choice = random();
    try {
      if (choice < 0.3) {
        await deque.append(valueOf(i));
        model.push(valueOf(i));
      } else if (choice < 0.5) {
        await deque.appendLeft(valueOf(i));
        model.unshift(valueOf(i));
      } else if (choice < 0.65) {
        const values = [valueOf(i), valueOf(i + 1000), valueOf(i + 2000)];
        await deque.extend(values);
        model.push(...values);
      } else if (choice < 0.85) {
        expect(await deque.pop()).toEqual(model.pop());
      } else {
        expect(await deque.popLeft()).toEqual(model.shift());
      }
      return true;
    } catch (error) {
      // The only acceptable failure: the server refused a write for lack of memory.
      expect(error).toBeInstanceOf(ServerError);
      expect((error as ServerError).status).toBe(0x0082);
      refused++;
      return false;
    }
  };
  // Full, then room again, three times: refusals interleaved with acknowledged operations.
  for (let round = 0; round < 3; round++) {
    const filled = await fillMemory(memcached.addresses[0]!);
    try {
      for (let i = 0; i < 40; i++) {
        await step(1000 * round + i);
        // Reads need no memory: the deque is still there, with exactly the acknowledged length.
        expect(await deque.length()).toBe(model.length);
      }
    } finally {
      await filled.release();
    }
    for (let i = 40; i < 60; i++) expect(await step(1000 * round + i)).toBe(true);
  }
  expect(refused).toBeGreaterThan(60); // the server really was full
  const drained: unknown[] = [];
  for (let value = await deque.popLeft(); value !== undefined; value = await deque.popLeft()) drained.push(value);
  expect(drained).toEqual(model);
  await deque.append(valueOf(1)); // and it works normally again
  expect(await deque.pop()).toEqual(valueOf(1));
});

test('producers on separate connections racing a filling server: exactly the acknowledged values, once each, in each producer\'s order', async () => {
  const creator = stores.open(memcached.addresses);
  const deque = await Deque.create<string>(creator, undefined, { flushBytes: 512 });
  const producers = [0, 1, 2].map(() => Deque.bind<string>(stores.open(memcached.addresses), deque.name, { flushBytes: 512 }));
  const acknowledged = new Set<string>();
  const refused = new Set<string>();
  const unknown = new Set<string>();
  let full = false;
  /** Pushes while the server fills up, and 20 more once it is full. */
  const produce = async (producer: Deque<string>, p: number): Promise<void> => {
    for (let i = 0, afterFull = 0; afterFull < 20 && i < 5000; i++, afterFull += full ? 1 : 0) {
      const value = `${p}:${i}:${'z'.repeat((i * 37) % 1500)}`;
      try {
        await producer.append(value);
        acknowledged.add(value);
      } catch (error) {
        if (error instanceof DequeOutcomeUnknownError) unknown.add(value);
        else {
          expect(error).toBeInstanceOf(ServerError);
          refused.add(value);
        }
      }
    }
  };
  const running = producers.map((producer, p) => produce(producer, p));
  const filled = await fillMemory(memcached.addresses[0]!); // while they push
  full = true;
  await Promise.all(running);
  await filled.release();
  expect(refused.size).toBeGreaterThan(0);
  expect(acknowledged.size).toBeGreaterThan(0);

  const drained: string[] = [];
  for (let value = await deque.popLeft(); value !== undefined; value = await deque.popLeft()) drained.push(value);
  expect(new Set(drained).size).toBe(drained.length); // once each
  for (const value of acknowledged) expect(drained).toContain(value);
  for (const value of drained) expect(refused.has(value)).toBe(false);
  for (const value of drained) expect(acknowledged.has(value) || unknown.has(value)).toBe(true);
  for (const p of [0, 1, 2]) {
    const order = drained.filter((value) => value.startsWith(`${p}:`)).map((value) => Number(value.split(':')[1]));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  }
});

test('moves between two deques on a filling server: every value is in exactly one of them', async () => {
  const store = stores.open(memcached.addresses);
  const source = await Deque.create<string>(store, undefined, { flushBytes: 512 });
  const target = await Deque.create<string>(store, undefined, { flushBytes: 512 });
  const values = Array.from({ length: 40 }, (_, i) => `${i}:${'m'.repeat((i * 53) % 1400)}`);
  await source.extend(values);
  let full = false;
  let failures = 0;
  const mover = async (): Promise<void> => {
    for (let i = 0, afterFull = 0; afterFull < 15 && i < 2000; i++, afterFull += full ? 1 : 0) {
      try {
        if ((await source.moveTo(target)) === undefined) await target.moveTo(source);
      } catch (error) {
        // Refused, or (a refused MCAS decision) decided later by a reader and not learned by
        // re-reading the anchors (the move's DequeOutcomeUnknownError, carrying the value): atomic either way.
        expect(error).toMatchObject({ code: expect.stringMatching(/^MCC_ERR_(SERVER|DEQUE_OUTCOME_UNKNOWN)$/) });
        failures++;
      }
    }
  };
  const moving = mover();
  const filled = await fillMemory(memcached.addresses[0]!);
  full = true;
  await moving;
  await filled.release();
  expect(failures).toBeGreaterThan(0);
  const drained: string[] = [];
  for (const deque of [source, target]) for (let value = await deque.pop(); value !== undefined; value = await deque.pop()) drained.push(value);
  expect(drained.sort()).toEqual([...values].sort());
});
