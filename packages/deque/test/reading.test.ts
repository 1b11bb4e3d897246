import { useMemcached } from '@mcc/harness';
import { Deque, DequeExistsError, InvalidArgumentError } from '../src';
import { storeFactory } from './helpers';

const cluster = useMemcached(3, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

/** Python-style LRANGE of a model array: inclusive stop, negative indexes from the right. */
function modelRange<T>(model: readonly T[], start: number, stop: number): T[] {
  const n = model.length;
  const from = Math.max(0, start < 0 ? n + start : start);
  const to = Math.min(n - 1, stop < 0 ? n + stop : stop);
  return from > to ? [] : model.slice(from, to + 1);
}

describe('range and values', () => {
  it('match a model array across buffers, chunks and large values, from either end', async () => {
    const deque = await Deque.create<number | string>(stores.open(cluster.addresses), undefined, { flushBytes: 64 });
    const model: (number | string)[] = [];
    for (let i = 0; i < 120; i++) {
      const value = i % 17 === 0 ? 'x'.repeat(1500) + i : i;
      if (i % 3 === 0) {
        await deque.appendLeft(value);
        model.unshift(value);
      } else {
        await deque.append(value);
        model.push(value);
      }
    }
    for (const [start, stop] of [[0, -1], [0, 0], [-1, -1], [5, 30], [-40, -3], [100, 200], [-500, 3], [60, 59], [0, 119], [119, 119]] as const) {
      expect(await deque.range(start, stop)).toEqual(modelRange(model, start, stop));
    }
    const seen: unknown[] = [];
    for await (const value of deque.values()) seen.push(value);
    expect(seen).toEqual(model);
    expect(await deque.length()).toBe(120); // nothing was removed
  });

  it('is a snapshot of one instant while others pop and push', async () => {
    const store = stores.open(cluster.addresses);
    const deque = await Deque.create<number>(store, undefined, { flushBytes: 64 });
    await deque.extend(Array.from({ length: 200 }, (_, i) => i));
    const other = Deque.bind<number>(stores.open(cluster.addresses), deque.name, { flushBytes: 64 });
    let stop = false;
    const churn = (async () => {
      for (let i = 200; !stop; i++) {
        await other.append(i);
        await other.popLeft();
      }
    })();
    try {
      for (let round = 0; round < 20; round++) {
        const snapshot = await deque.range(0, -1);
        // Always 200 or 201 (between the churner's push and its pop) consecutive integers: a window of the stream, never torn.
        expect([200, 201]).toContain(snapshot.length);
        snapshot.forEach((value, index) => expect(value).toBe(snapshot[0]! + index));
      }
    } finally {
      stop = true;
      await churn;
    }
  });

  it('refuses non-integer indexes', async () => {
    const deque = await Deque.create(stores.open(cluster.addresses));
    await expect(deque.range(0.5, 2)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('open and exists', () => {
  it('open creates once and binds afterwards, even when racing', async () => {
    const store = stores.open(cluster.addresses);
    const name = `open-${Date.now()}`;
    expect(await Deque.exists(store, name)).toBe(false);
    const handles = await Promise.all(Array.from({ length: 5 }, () => Deque.open<number>(stores.open(cluster.addresses), name)));
    expect(await Deque.exists(store, name)).toBe(true);
    await handles[0]!.append(1);
    expect(await handles[4]!.popLeft()).toBe(1);
    await expect(Deque.create(store, name)).rejects.toBeInstanceOf(DequeExistsError);
    await handles[1]!.destroy();
    expect(await Deque.exists(store, name)).toBe(false);
  });
});

describe('expire', () => {
  it('makes every record of the deque leave memcached after the TTL, and expire(0) keeps it', async () => {
    const store = stores.open(cluster.addresses);
    const doomed = await Deque.create<string>(store, undefined, { flushBytes: 64 });
    const kept = await Deque.create<string>(store, undefined, { flushBytes: 64 });
    for (const deque of [doomed, kept]) {
      for (let i = 0; i < 40; i++) await deque.append(i % 10 === 0 ? 'L'.repeat(2000) : `v${i}`);
    }
    const anchor = (await store.get<{ a: number; b: number; r: [number, unknown][] }>(`mcc:dq:${doomed.name}`))!.value;
    expect(anchor.b).toBeGreaterThan(anchor.a); // there are chunks
    const chunkKeys = Array.from({ length: anchor.b - anchor.a + 1 }, (_, i) => `mcc:dq:${doomed.name}:c:${anchor.a + i}`);
    const chunks = [...(await store.getMulti<{ e: [number, unknown][] }>(chunkKeys)).values()];
    const valueKeys = [...anchor.r, ...chunks.flatMap((chunk) => chunk.value.e)].filter(([tag]) => tag === 1).map(([, key]) => key as string);
    expect(valueKeys.length).toBeGreaterThan(0); // and large values in items of their own
    await doomed.expire(1);
    await kept.expire(1);
    await kept.expire(0);
    await new Promise((resolve) => setTimeout(resolve, 2200));
    expect(await Deque.exists(store, doomed.name)).toBe(false);
    expect((await store.getMulti([...chunkKeys, ...valueKeys])).size).toBe(0);
    expect(await kept.range(0, -1)).toHaveLength(40);
    await expect(doomed.expire(-1)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('succeeds when the anchor is gone before its check read (a TTL of 1 s can run out at once)', async () => {
    const store = stores.open(cluster.addresses);
    const deque = await Deque.create<string>(store);
    await deque.append('x');
    const anchorKey = `mcc:dq:${deque.name}`;
    const touch = store.client.touch.bind(store.client);
    // As memcached does when its clock ticks right after the touch: the anchor expires before expire looks again.
    jest.spyOn(store.client, 'touch').mockImplementation(async (key, seconds) => {
      const touched = await touch(key, seconds);
      if (key === anchorKey) await store.client.delete(key);
      return touched;
    });
    await expect(deque.expire(1)).resolves.toBeUndefined();
    expect(await Deque.exists(store, deque.name)).toBe(false);
  });
});
