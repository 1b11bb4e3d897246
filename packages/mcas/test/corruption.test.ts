/**
 * Lost MCAS records (a descriptor or a split-out value evicted or deleted):
 * readers raise McasCorruptionError naming the location and the descriptor,
 * after looking twice, and never loop.
 */
import { useMemcached } from '@mcc/harness';
import { Client, mcas, mcasGet, mcasGetMulti, McasCorruptionError, REFERENCE_KIND, Store, type Entry, type McasStep } from '../src';
import { descriptorAt, rejectionOf, StorePool, uniqueKeys } from './helpers';

function crashAt(target: McasStep): { afterStep(step: McasStep): void } {
  return {
    afterStep(step) {
      if (JSON.stringify(step) === JSON.stringify(target)) throw new Error('crash');
    },
  };
}

describe('corruption', () => {
  const mc = useMemcached(3);
  const pool = new StorePool();
  let store: Store;
  let reader: Store;
  beforeAll(() => {
    store = pool.open(mc.addresses);
    reader = pool.open(mc.addresses);
  });
  afterAll(() => pool.closeAll());

  async function crashed(values: readonly unknown[], newValues: readonly unknown[], step: McasStep): Promise<string[]> {
    const keys = uniqueKeys('corrupt', values.length);
    await Promise.all(keys.map((key, index) => store.set(key, values[index])));
    const entries = await mcasGetMulti(store, keys);
    await rejectionOf(mcas(store, keys.map((key, index) => [entries.get(key)!, newValues[index]] as const), { hooks: crashAt(step) }));
    return keys;
  }

  test('a deleted descriptor: mcasGet raises McasCorruptionError naming the key and the descriptor, without looping', async () => {
    const keys = await crashed([1, 2], [3, 4], { acquired: 0 });
    const descriptorKey = await descriptorAt(store, keys[0]!);
    expect(await store.delete(descriptorKey)).toBe(true);

    await reader.client.version(); // connected to every server: no handshake below
    const before = reader.client.metrics.requests;
    const error = await rejectionOf(mcasGet(reader, keys[0]!));
    expect(error).toBeInstanceOf(McasCorruptionError);
    expect(error).toMatchObject({ code: 'MCC_ERR_MCAS_CORRUPTION', key: keys[0], location: keys[0], descriptorKey });
    expect(error.message).toMatch(/descriptor is missing/);
    expect(error.stack).toContain('corruption.test.ts'); // points at the caller, through the awaits
    // read the key, read it again after a short wait (mcas-get.ts), read the descriptor, read the key again: 4 requests, not a loop
    expect(reader.client.metrics.requests - before).toBe(4);

    // The location not yet acquired is a plain value, readable as ever.
    expect((await mcasGet(reader, keys[1]!))?.value).toBe(2);
    await expect(mcasGetMulti(reader, keys)).rejects.toMatchObject({ code: 'MCC_ERR_MCAS_CORRUPTION', location: keys[0], descriptorKey });
  });

  test('a missing split-out new value: McasCorruptionError names the location holding the reference', async () => {
    const big = Buffer.alloc(100 * 1024, 1); // over 64 KiB: split out of the descriptor
    const keys = await crashed([1, 2], [3, big], 'decided');
    const descriptorKey = await descriptorAt(store, keys[1]!);
    expect(await store.delete(`${descriptorKey}:v1`)).toBe(true);
    const error = await rejectionOf(mcasGetMulti(reader, keys));
    expect(error).toMatchObject({ code: 'MCC_ERR_MCAS_CORRUPTION', location: keys[1], descriptorKey });
    expect(error.message).toMatch(/split out to .*:v1, is missing/);
  });

  test('an invalid reference record', async () => {
    const [key] = uniqueKeys('garbage', 1);
    await store.set(key!, { not: 'a reference' }, { kind: REFERENCE_KIND });
    await expect(mcasGet(reader, key!)).rejects.toMatchObject({ code: 'MCC_ERR_MCAS_CORRUPTION', location: key, message: expect.stringMatching(/not valid/) });
  });

  test('a reference to a key that is not a descriptor', async () => {
    const keys = await crashed([1, 2], [3, 4], { acquired: 0 });
    const descriptorKey = await descriptorAt(store, keys[0]!);
    await store.set(descriptorKey, 'something else');
    await expect(mcasGet(reader, keys[0]!)).rejects.toMatchObject({ code: 'MCC_ERR_MCAS_CORRUPTION', location: keys[0], descriptorKey });
  });

  test('a descriptor deleted between the reader\'s looks, after its MCAS completed, is progress, not corruption', async () => {
    const keys = await crashed([1, 2], [3, 4], { acquired: 0 });
    const descriptorKey = await descriptorAt(store, keys[0]!);
    // The reader has seen the reference; just before it reads the descriptor, another client
    // completes the MCAS and the descriptor is deleted (what a finishing originator does).
    let raced = 0;
    const racing = new InterceptingStore(new Client(mc.addresses), async (key) => {
      if (key !== descriptorKey) return;
      raced++;
      expect((await mcasGet(store, keys[0]!))?.value).toBe(3);
      expect(await store.delete(descriptorKey)).toBe(true);
    });
    try {
      expect((await mcasGet(racing, keys[0]!))?.value).toBe(3);
      expect(raced).toBe(1);
    } finally {
      await racing.close();
    }
  });
});

/** A store that runs `before` ahead of each get (once per key), to interleave another client's steps. */
class InterceptingStore extends Store {
  readonly #seen = new Set<string>();
  constructor(client: Client, private readonly before: (key: string) => Promise<void>) {
    super(client);
  }
  override async get<T = unknown>(key: string): Promise<Entry<T> | null> {
    if (!this.#seen.has(key)) {
      this.#seen.add(key);
      await this.before(key);
    }
    return super.get<T>(key);
  }
}
