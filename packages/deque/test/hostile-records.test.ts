/**
 * Records written by someone else — a buggy client in another language, or
 * anyone who can reach memcached: a crafted anchor must give a typed
 * DequeCorruptedError, never a hang, nor a read or delete of a key outside
 * the deque's key space.
 */
import { useMemcached } from '@mcc/harness';
import { RecordKind } from '@mcc/mcas';
import { Deque, DequeCorruptedError, type Store } from '../src';
import { storeFactory } from './helpers';

const memcached = useMemcached(1, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

const anchorKey = (deque: Deque): string => `mcc:dq:${deque.name}`;

/** Rewrites the anchor of `deque` with `change` applied, as a foreign writer would. */
async function tamper(store: Store, deque: Deque, change: Record<string, unknown>): Promise<void> {
  const entry = await store.get<Record<string, unknown>>(anchorKey(deque));
  await store.set(anchorKey(deque), { ...entry!.value, ...change }, { kind: RecordKind.DequeAnchor });
}

/** Settles within `ms` or fails: a hang is the bug. */
async function withinMs<T>(ms: number, promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.allSettled([promise]).then(([result]) => result!), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function expectCorrupted(result: PromiseSettledResult<unknown>): void {
  expect(result.status).toBe('rejected');
  expect((result as PromiseRejectedResult).reason).toBeInstanceOf(DequeCorruptedError);
}

test.each<[string, (s: number) => Record<string, unknown>]>([
  ['a chunk range far beyond the length', () => ({ a: 0, b: 2 ** 53 - 1, n: 3, as: 1, bs: 1 })],
  ['more buffered elements than the length', () => ({ n: 1 })],
  ['a length with nothing to hold it', () => ({ n: 2 ** 40 })],
  ['a chunk base from the future', (s) => ({ a: 0, b: 0, n: 4, as: s + 99, bs: s + 99 })],
])('an anchor with %s is corruption, for every operation, at once', async (_name, changeFor) => {
  const store = stores.open(memcached.addresses);
  const deque = await Deque.create<number>(store);
  await deque.extend([1, 2, 3]);
  const { s } = (await store.get<{ s: number }>(anchorKey(deque)))!.value;
  await tamper(store, deque, changeFor(s));
  const fresh = Deque.bind<number>(stores.open(memcached.addresses), deque.name);
  for (const operation of [(): Promise<unknown> => fresh.clear(), () => fresh.destroy(), () => fresh.pop(), () => fresh.popLeft(), () => fresh.length()]) {
    expectCorrupted(await withinMs(2000, operation()));
  }
});

test.each([
  ['a key outside the deque', 'victim:balance'],
  ["another structure's key", 'mcc:mcas:AAAAAAAAAAAAAAAAAAAAAA'],
  ['an anchor key', 'mcc:dq:other'],
  ['an invalid key', 'has a space'],
])('a large-value element naming %s is corruption; that key is neither returned nor deleted', async (_name, key) => {
  const store = stores.open(memcached.addresses);
  const deque = await Deque.create<unknown>(store);
  await deque.append(1);
  const victim = key.includes(' ') ? null : await store.set(key, { balance: 100 });
  await tamper(store, deque, { r: [[1, key]], n: 1 });
  const fresh = Deque.bind<unknown>(stores.open(memcached.addresses), deque.name);
  expectCorrupted(await withinMs(2000, fresh.pop()));
  expectCorrupted(await withinMs(2000, fresh.peek()));
  expectCorrupted(await withinMs(2000, fresh.clear()));
  if (victim !== null) expect((await store.get(key))?.cas).toBe(victim.cas);
});

test('a consistent-looking anchor claiming 2^40 chunks that do not exist: clear and destroy end at once, pops are corruption', async () => {
  const store = stores.open(memcached.addresses);
  const deque = await Deque.create<number>(store);
  await deque.append(1);
  const huge = { a: 0, b: 2 ** 40 - 1, n: 2 ** 40, l: [], r: [], as: 0, bs: 0 };
  await tamper(store, deque, huge);
  const fresh = Deque.bind<number>(stores.open(memcached.addresses), deque.name);
  expectCorrupted(await withinMs(2000, fresh.pop()));
  expect(await withinMs(2000, fresh.clear())).toEqual({ status: 'fulfilled', value: undefined });
  expect(await fresh.length()).toBe(0);
  await tamper(store, deque, huge);
  expect(await withinMs(2000, fresh.destroy())).toEqual({ status: 'fulfilled', value: undefined });
});

test('a chunk whose element names a key outside the deque is corruption; the key is untouched', async () => {
  const store = stores.open(memcached.addresses);
  const deque = await Deque.create<number>(store);
  await deque.append(1);
  const victim = await store.set('victim:chunked', { balance: 100 });
  await store.set(`mcc:dq:${deque.name}:c:0`, { s: 0, e: [[1, 'victim:chunked']] }, { kind: RecordKind.DequeNode });
  await tamper(store, deque, { a: 0, b: 0, as: 0, bs: 0, n: 2 });
  const fresh = Deque.bind<number>(stores.open(memcached.addresses), deque.name);
  expect(await fresh.pop()).toBe(1); // the anchor's own buffer is fine
  expectCorrupted(await withinMs(2000, fresh.popLeft()));
  expectCorrupted(await withinMs(2000, fresh.pop()));
  expectCorrupted(await withinMs(2000, fresh.peekLeft()));
  expect((await store.get('victim:chunked'))?.cas).toBe(victim.cas);
});

test('a fresh large-value key already taken (another writer in the key space): DequeCorruptedError, nothing pushed, nothing of theirs touched', async () => {
  const store = stores.open(memcached.addresses);
  const deque = await Deque.create<string>(store, undefined, { inlineMaxBytes: 16 });
  const add = jest.spyOn(store, 'add').mockResolvedValueOnce(null); // as if the random key existed
  try {
    await expect(deque.append('x'.repeat(100))).rejects.toMatchObject({ code: DequeCorruptedError.code });
  } finally {
    add.mockRestore();
  }
  expect(await deque.length()).toBe(0);
  expect(await deque.popLeft()).toBeUndefined();
});

describe('combining records written by someone else', () => {
  it('an anchor with combining fields but version 1, or a bad log id or result, is corruption', async () => {
    const store = stores.open(memcached.addresses);
    for (const change of [{ g: 0, q: 'abc', k: 0, x: {} }, { v: 2, g: 0, q: 'not a key!', k: 0, x: {} }, { v: 2, g: 0, q: 'abc', k: -1, x: {} }, { v: 2, g: 0, q: 'abc', k: 0, x: { id1: [1, 'user:secret'] } }, { v: 2, g: 0, q: 'abc' }]) {
      const deque = await Deque.create<string>(store);
      await tamper(store, deque, change);
      await expect(withinMs(2000, Deque.bind<string>(stores.open(memcached.addresses), deque.name).append('a')).then((settled) => (settled.status === 'rejected' ? settled.reason : null))).resolves.toMatchObject({ code: DequeCorruptedError.code });
    }
  });
});
