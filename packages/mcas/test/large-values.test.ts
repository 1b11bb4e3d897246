/**
 * Values near the item limit (a location must leave room for the reference
 * around its value) and new values split out of the descriptor.
 */
import { useMemcached } from '@mcc/harness';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describeLocation, mcas, mcasGet, mcasGetMulti, mccFlags, REFERENCE_KIND, REFERENCE_OVERHEAD_BYTES, ValueTooLargeError, type McasStep, type Store } from '../src';
import { descriptorAt, expectNoReferences, rejectionOf, StorePool, uniqueKeys } from './helpers';

/** msgpack bin32 header: a Buffer of n bytes (n ≥ 65536) encodes to n + 5 bytes. */
const BIN32_HEADER = 5;

describe('large values (memcached -I 1m)', () => {
  const mc = useMemcached(2, { itemSizeMax: '1m' });
  const pool = new StorePool();
  let store: Store;
  let reader: Store;
  beforeAll(() => {
    store = pool.open(mc.addresses);
    reader = pool.open(mc.addresses);
  });
  afterAll(() => pool.closeAll());

  /** The largest value a location in an MCAS may hold, in encoded bytes. */
  async function locationLimit(key: string): Promise<number> {
    const info = await store.client.serverInfo(store.client.serverFor(key));
    return info.maxValueLength(Buffer.byteLength(key), mccFlags(REFERENCE_KIND, store.codec.id)) - REFERENCE_OVERHEAD_BYTES;
  }

  async function seed(prefix: string, values: readonly unknown[]): Promise<string[]> {
    const keys = uniqueKeys(prefix, values.length);
    await Promise.all(keys.map((key, index) => store.set(key, values[index])));
    return keys;
  }

  test('a value of exactly the location limit goes in, and out again (wrapped in a reference)', async () => {
    const keys = await seed('limit', [0, 0]);
    const limit = await locationLimit(keys[0]!);
    expect(limit).toBeGreaterThan(1_000_000);
    const big = Buffer.alloc(limit - BIN32_HEADER, 0xab);
    let entries = await mcasGetMulti(store, keys);
    expect(await mcas(store, [[entries.get(keys[0]!)!, big], [entries.get(keys[1]!)!, 1]])).toBe(true);
    entries = await mcasGetMulti(store, keys);
    expect(Buffer.compare(entries.get(keys[0]!)!.value as Buffer, big)).toBe(0);
    // Now the big value is the old value: it travels inside the reference.
    expect(await mcas(store, [[entries.get(keys[0]!)!, 'small'], [entries.get(keys[1]!)!, 2]])).toBe(true);
    expect((await mcasGet(store, keys[0]!))?.value).toBe('small');
  });

  test('a crashed MCAS with a near-limit old value is rolled back from the reference', async () => {
    const keys = await seed('rollback', [0, 0, 0]);
    const big = Buffer.alloc((await locationLimit(keys[0]!)) - BIN32_HEADER, 7);
    await store.set(keys[0]!, big);
    const entries = await mcasGetMulti(store, keys);
    const crash = { afterStep: (step: McasStep) => { if (JSON.stringify(step) === '{"acquired":0}') throw new Error('crash'); } };
    await rejectionOf(mcas(store, keys.map((key) => [entries.get(key)!, 'x'] as const), { hooks: crash }));
    await store.set(keys[2]!, 'changed'); // the last location changes: helpers must fail and roll back
    const after = await mcasGetMulti(reader, keys);
    expect(Buffer.compare(after.get(keys[0]!)!.value as Buffer, big)).toBe(0);
    expect(after.get(keys[1]!)!.value).toBe(0);
    await expectNoReferences(reader, keys);
  });

  test('one byte over the limit is refused before anything is written, for a new or a current value', async () => {
    const keys = await seed('over', [0, 0]);
    const over = Buffer.alloc((await locationLimit(keys[0]!)) - BIN32_HEADER + 1);
    let entries = await mcasGetMulti(store, keys);
    const error = await rejectionOf(mcas(store, [[entries.get(keys[0]!)!, over], [entries.get(keys[1]!)!, 1]]));
    expect(error).toBeInstanceOf(ValueTooLargeError);
    expect(error).toMatchObject({ code: 'MCC_ERR_VALUE_TOO_LARGE', key: keys[0], message: expect.stringMatching(/new value/) });

    await store.set(keys[0]!, over); // fits a plain item, not a reference
    entries = await mcasGetMulti(store, keys);
    const current = await rejectionOf(mcas(store, [[entries.get(keys[0]!)!, 1], [entries.get(keys[1]!)!, 1]]));
    expect(current).toMatchObject({ code: 'MCC_ERR_VALUE_TOO_LARGE', message: expect.stringMatching(/current value/) });
    const unchanged = await mcasGetMulti(store, keys);
    expect(keys.map((key) => unchanged.get(key)!.cas)).toEqual(keys.map((key) => entries.get(key)!.cas));
  });

  test('new values over 64 KiB, or past 256 KiB in all, are split out; the originator deletes them after', async () => {
    const sixtyK = Buffer.alloc(60 * 1024, 2);
    const values = [Buffer.alloc(100 * 1024, 1), sixtyK, sixtyK, sixtyK, sixtyK, sixtyK, 'small'];
    const keys = await seed('split', values.map(() => 0));
    const entries = await mcasGetMulti(store, keys);
    let descriptorKey = '';
    let splitOut: string[] = [];
    const ok = await mcas(store, keys.map((key, index) => [entries.get(key)!, values[index]] as const), {
      hooks: {
        async afterStep(step) {
          if (JSON.stringify(step) !== '{"acquired":0}') return;
          descriptorKey = await descriptorAt(store, keys[0]!);
          const found = await store.getMulti(values.map((_, index) => `${descriptorKey}:v${index}`));
          splitOut = [...found.keys()].map((key) => key.slice(descriptorKey.length));
          for (const entry of found.values()) expect(describeLocation(entry)).toMatchObject({ type: 'split-value', descriptorKey });
        },
      },
    });
    expect(ok).toBe(true);
    // 100 KiB > 64 KiB; then 4 × 60 KiB fit in 256 KiB, the 5th does not; 'small' still fits.
    expect(splitOut.sort()).toEqual([':v0', ':v5']);
    const after = await mcasGetMulti(store, keys);
    keys.forEach((key, index) => expect(after.get(key)!.value).toEqual(values[index]));
    await nextTurn();
    await nextTurn();
    expect(await store.getMulti([descriptorKey, `${descriptorKey}:v0`, `${descriptorKey}:v5`])).toEqual(new Map());
  });

  test('helpers read split-out values to complete a crashed MCAS', async () => {
    const big = Buffer.alloc(200 * 1024, 9);
    const keys = await seed('split-help', [0, 0, 0]);
    const entries = await mcasGetMulti(store, keys);
    const crash = { afterStep: (step: McasStep) => { if (JSON.stringify(step) === '{"acquired":2}') throw new Error('crash'); } };
    await rejectionOf(mcas(store, [[entries.get(keys[0]!)!, 'a'], [entries.get(keys[1]!)!, big], [entries.get(keys[2]!)!, 'c']], { hooks: crash }));
    const after = await mcasGetMulti(reader, keys);
    expect(after.get(keys[0]!)!.value).toBe('a');
    expect(Buffer.compare(after.get(keys[1]!)!.value as Buffer, big)).toBe(0);
    expect(after.get(keys[2]!)!.value).toBe('c');
    await expectNoReferences(reader, keys);
  });
});
