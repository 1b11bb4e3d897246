/**
 * What a refused write leaves behind, at the Store level, on a full `-M`
 * server: `cas`, `replace` and `add` keep the key's current entry (the
 * server facts in docs/FORMAT.md); only an unconditional `set` loses it, as
 * its TSDoc warns. And a "condition" of CAS 0 never becomes an
 * unconditional write.
 */
import { fillMemory, useMemcached } from '@mcc/harness';
import { CasUnsupportedError, connect, ServerError, type Store } from '../../src';
import { rejection, uniqueKey } from './helpers';

const memcached = useMemcached(1, { evictions: false, memoryMb: 2 });
let store: Store;
beforeAll(() => {
  store = connect(memcached.addresses);
});
afterAll(() => store.close());

const OUT_OF_MEMORY = 0x0082;

test('cas, replace and add refused for lack of memory keep the current entry; set loses it', async () => {
  const keys = { cas: uniqueKey('cas'), replace: uniqueKey('replace'), add: uniqueKey('add'), set: uniqueKey('set') };
  const before = new Map<string, bigint>();
  for (const key of Object.values(keys)) before.set(key, (await store.set(key, { small: true })).cas);
  const filled = await fillMemory(memcached.addresses[0]!);
  try {
    const larger = { blob: Buffer.alloc(6000, 1) }; // a slab class without a free chunk
    const current = (await store.get(keys.cas))!;
    const refusals = await Promise.all([
      rejection(store.cas(current, larger)),
      rejection(store.replace(keys.replace, larger)),
      rejection(store.add(keys.add, larger)),
      rejection(store.set(keys.set, larger)),
    ]);
    for (const error of refusals) expect(error).toMatchObject({ code: ServerError.code, status: OUT_OF_MEMORY });
    for (const key of [keys.cas, keys.replace, keys.add]) {
      const entry = await store.get(key);
      expect({ key, cas: entry?.cas, value: entry?.value }).toEqual({ key, cas: before.get(key), value: { small: true } });
    }
    expect(await store.get(keys.set)).toBeNull(); // memcached's behaviour for set, documented on Store.set
  } finally {
    await filled.release();
  }
});

test('an entry with CAS 0 is refused as a condition, and the item is not written', async () => {
  const key = uniqueKey('cas-zero');
  const entry = await store.set(key, 'kept');
  const error = await rejection(store.cas({ ...entry, cas: 0n }, 'overwritten'));
  expect(error).toBeInstanceOf(CasUnsupportedError);
  expect(() => store.deleteQuiet({ ...entry, cas: 0n })).toThrow(CasUnsupportedError);
  expect((await store.get(key))?.value).toBe('kept');
});
