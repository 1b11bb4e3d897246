/**
 * mcasUpdate: the retried read-modify-MCAS loop, against real memcached.
 */
import { useMemcached } from '@mcc/harness';
import { InvalidArgumentError, McasContentionError, mcasGetMulti, mcasUpdate, type Store } from '../src';
import { expectNoReferences, rejectionOf, StorePool, uniqueKeys } from './helpers';

const mc = useMemcached(3, { evictions: false });
const pool = new StorePool();
let store: Store;
beforeAll(() => {
  store = pool.open(mc.addresses);
});
afterAll(() => pool.closeAll());

async function accounts(count: number, balance: number): Promise<string[]> {
  const keys = uniqueKeys('account', count);
  await Promise.all(keys.map((key) => store.set(key, balance)));
  return keys;
}

test('many concurrent transfers on a few hot accounts all apply, and the total is conserved', async () => {
  const keys = await accounts(4, 1000);
  const stores = [store, pool.open(mc.addresses), pool.open(mc.addresses)];
  let seed = 11;
  const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const transfers: Promise<boolean>[] = [];
  for (let loop = 0; loop < 12; loop++) {
    const client = stores[loop % stores.length]!;
    transfers.push(
      (async () => {
        for (let i = 0; i < 15; i++) {
          const from = keys[Math.floor(random() * keys.length)]!;
          let to = keys[Math.floor(random() * keys.length)]!;
          if (to === from) to = keys[(keys.indexOf(from) + 1) % keys.length]!;
          const amount = 1 + Math.floor(random() * 10);
          const applied = await mcasUpdate<number>(client, [from, to], (entries) => [
            [from, entries.get(from)!.value - amount],
            [to, entries.get(to)!.value + amount],
          ]);
          if (!applied) return false;
        }
        return true;
      })(),
    );
  }
  expect(await Promise.all(transfers)).toEqual(transfers.map(() => true));
  const final = await mcasGetMulti<number>(store, keys);
  expect(keys.reduce((sum, key) => sum + final.get(key)!.value, 0)).toBe(4000);
  await expectNoReferences(store, keys);
});

test('compute may decline: nothing is written and the result is false', async () => {
  const keys = await accounts(2, 5);
  const before = await mcasGetMulti<number>(store, keys);
  expect(await mcasUpdate<number>(store, keys, () => undefined)).toBe(false);
  const after = await mcasGetMulti<number>(store, keys);
  expect(keys.map((key) => after.get(key)!.cas)).toEqual(keys.map((key) => before.get(key)!.cas));
});

test('a key that was not read is refused', async () => {
  const keys = await accounts(1, 5);
  const error = await rejectionOf(mcasUpdate<number>(store, keys, () => [['elsewhere', 1]]));
  expect(error).toBeInstanceOf(InvalidArgumentError);
});

test('gives up with McasContentionError after maxAttempts lost races', async () => {
  const keys = await accounts(2, 0);
  let calls = 0;
  const error = await rejectionOf(
    mcasUpdate<number>(
      store,
      keys,
      (entries) => {
        calls++;
        void store.set(keys[0]!, 100 + calls); // someone else always writes first
        return keys.map((key) => [key, entries.get(key)!.value + 1] as const);
      },
      { maxAttempts: 3, minBackoffMs: 0, maxBackoffMs: 0 },
    ),
  );
  expect(error).toBeInstanceOf(McasContentionError);
  expect((error as McasContentionError).attempts).toBe(3);
  expect(calls).toBe(3);
});

test('stops when its signal aborts', async () => {
  const keys = await accounts(1, 0);
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  await expect(mcasUpdate<number>(store, keys, () => [[keys[0]!, 1]], { signal: controller.signal })).rejects.toThrow('stop');
});
