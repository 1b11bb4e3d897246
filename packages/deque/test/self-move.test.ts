/**
 * A move of a deque onto itself is a rotation (issue 9 §2): the element
 * stays in the deque, so a large value's own item must stay too. And peeks
 * and moves share the one anchor loop with everything else.
 */
import { FaultProxy, useMemcached } from '@mcc/harness';
import { Deque, DequeOutcomeUnknownError } from '../src';
import { storeFactory } from './helpers';

const cluster = useMemcached(2, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

const large = (tag: string): string => `${tag}:${'x'.repeat(3000)}`; // over the 1 KiB inline limit

describe('moveTo onto the same deque', () => {
  it('rotates a large value and keeps its item: later pops return it', async () => {
    const store = stores.open(cluster.addresses);
    const deque = await Deque.create<string>(store);
    await deque.extend(['a', large('b')]);
    expect(await deque.moveTo(deque)).toBe(large('b')); // right → left
    expect(await deque.length()).toBe(2);
    // Another process sees the rotated content, the large value included.
    const elsewhere = Deque.bind<string>(stores.open(cluster.addresses), deque.name);
    expect(await elsewhere.peekLeft()).toBe(large('b'));
    expect(await elsewhere.popLeft()).toBe(large('b'));
    expect(await elsewhere.pop()).toBe('a');
    expect(await elsewhere.pop()).toBeUndefined();
  });

  it('rotates one large value many times, in both directions, and in one batch with a pop of it', async () => {
    const store = stores.open(cluster.addresses);
    const deque = await Deque.create<string>(store);
    await deque.append(large('only'));
    for (let i = 0; i < 5; i++) {
      expect(await deque.moveTo(deque, { from: i % 2 === 0 ? 'right' : 'left', to: i % 2 === 0 ? 'left' : 'right' })).toBe(large('only'));
    }
    // Concurrent callers of one process share a batch: rotate, peek and pop the same element in one CAS.
    const [moved, peeked, popped] = await Promise.all([deque.moveTo(deque, { from: 'left', to: 'left' }), deque.peek(), deque.pop()]);
    expect([moved, peeked, popped]).toEqual([large('only'), large('only'), large('only')]);
    expect(await deque.length()).toBe(0);
  });

  it('rotates across chunks without losing or repeating anything', async () => {
    const store = stores.open(cluster.addresses);
    const deque = await Deque.create<number>(store, undefined, { flushBytes: 64 });
    await deque.extend(Array.from({ length: 40 }, (_, i) => i));
    for (let i = 0; i < 15; i++) expect(await deque.moveTo(deque, { from: 'left', to: 'right' })).toBe(i);
    const rest: number[] = [];
    for (let value = await deque.popLeft(); value !== undefined; value = await deque.popLeft()) rest.push(value);
    expect(rest).toEqual([...Array.from({ length: 25 }, (_, i) => i + 15), ...Array.from({ length: 15 }, (_, i) => i)]);
  });
});

describe('peeks go through the anchor loop', () => {
  it('see the end element, also inside an end chunk, as another process left it', async () => {
    const store = stores.open(cluster.addresses);
    const deque = await Deque.create<number>(store, undefined, { flushBytes: 64 });
    await deque.extend(Array.from({ length: 30 }, (_, i) => i));
    const reader = Deque.bind<number>(stores.open(cluster.addresses), deque.name, { flushBytes: 64 });
    expect(await reader.peekLeft()).toBe(0);
    expect(await reader.peek()).toBe(29);
    while ((await deque.length()) > 1) await deque.pop();
    expect(await reader.peek()).toBe(0);
    expect(await reader.peekLeft()).toBe(0);
  });
});

describe('a rotation whose outcome cannot be learned', () => {
  const server = useMemcached(1, { evictions: false });
  let proxy: FaultProxy;
  beforeAll(async () => (proxy = await FaultProxy.start(server.addresses[0]!)));
  afterAll(() => proxy.close());

  it('reports operation "move" with the value, and the value stays in the deque', async () => {
    const store = stores.open([proxy.address], { requestTimeoutMs: 300, connectTimeoutMs: 300 });
    const deque = await Deque.create<string>(store);
    await deque.extend(['a', 'b']);
    proxy.setMode('drop-responses');
    const error = await deque.moveTo(deque).catch((caught: unknown) => caught);
    proxy.setMode('pass');
    expect(error).toBeInstanceOf(DequeOutcomeUnknownError);
    expect((error as DequeOutcomeUnknownError).operation).toBe('move');
    expect((error as DequeOutcomeUnknownError).value).toBe('b');
    // Rotated or not, both values are still there.
    const check = Deque.bind<string>(stores.open(server.addresses), deque.name);
    const values: string[] = [];
    for (let value = await check.popLeft(); value !== undefined; value = await check.popLeft()) values.push(value);
    expect(values.sort()).toEqual(['a', 'b']);
  });
});
