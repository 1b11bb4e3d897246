/**
 * MCAS records written by someone else, and servers an MCAS cannot use:
 * a crafted descriptor gives McasCorruptionError (never an InvalidKeyError,
 * never a write to a key that did not lead to it), and an MCAS refused by a
 * server without CAS leaves neither a descriptor nor a reference behind.
 */
import { listKeys, useMemcached } from '@mcc/harness';
import { randomBytes } from 'node:crypto';
import { CasUnsupportedError, DESCRIPTOR_KIND, mcas, mcasGet, mcasGetMulti, McasCorruptionError, REFERENCE_KIND, type Store } from '../src';
import { expectNoReferences, rejectionOf, StorePool, uniqueKeys } from './helpers';

const pool = new StorePool();
afterAll(() => pool.closeAll());

describe('crafted descriptors', () => {
  const mc = useMemcached(1);
  let store: Store;
  beforeAll(() => {
    store = pool.open(mc.addresses);
  });

  /** Makes `location` hold a reference to a new UNDECIDED descriptor listing `items` ([key, expected CAS]). */
  async function plant(location: string, items: readonly (readonly [string, bigint])[]): Promise<string> {
    const descriptorKey = `mcc:mcas:${randomBytes(16).toString('base64url')}`;
    const sorted = [...items].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    await store.set(descriptorKey, { s: 0, t: 600, i: sorted.map(([key, cas]) => [key, cas, 'overwritten', 0, '', 0]) }, { kind: DESCRIPTOR_KIND });
    await store.set(location, { d: descriptorKey, o: 'old' }, { kind: REFERENCE_KIND });
    return descriptorKey;
  }

  test('a descriptor that does not list the location that references it is corruption; the keys it lists are untouched', async () => {
    const [location, victim, other] = uniqueKeys('hostile', 3);
    const victimEntry = await store.set(victim!, { balance: 100 });
    const otherEntry = await store.set(other!, 1);
    const descriptorKey = await plant(location!, [[victim!, victimEntry.cas], [other!, otherEntry.cas]]);
    const error = await rejectionOf(mcasGet(store, location!));
    expect(error).toBeInstanceOf(McasCorruptionError);
    expect(error).toMatchObject({ location, descriptorKey });
    await expect(mcasGetMulti(store, [location!])).rejects.toBeInstanceOf(McasCorruptionError);
    expect((await store.get(victim!))?.cas).toBe(victimEntry.cas);
    expect((await store.get(other!))?.cas).toBe(otherEntry.cas);
  });

  test.each([
    ['a space', 'has a space'],
    ['a control character', 'tab\there'],
    ['more than 250 bytes', 'k'.repeat(251)],
  ])('a descriptor item key with %s is corruption, not an invalid-key error', async (_name, badKey) => {
    const [location] = uniqueKeys('bad-key', 1);
    const entry = await store.set(location!, 'plain');
    await plant(location!, [[location!, entry.cas], [badKey, 1n]]);
    const error = await rejectionOf(mcasGet(store, location!));
    expect(error).toBeInstanceOf(McasCorruptionError);
    expect(error).toMatchObject({ code: 'MCC_ERR_MCAS_CORRUPTION', location });
  });
});

describe('a server without CAS (-C) among the servers', () => {
  const withCas = useMemcached(1);
  const withoutCas = useMemcached(1, { cas: false });

  test('entries read from the -C server (CAS 0) are refused as conditions; nothing is written', async () => {
    const store = pool.open(withoutCas.addresses);
    const keys = uniqueKeys('no-cas', 2);
    for (const key of keys) await store.set(key, 'kept');
    const entries = await mcasGetMulti<string>(store, keys);
    expect(entries.get(keys[0]!)?.cas).toBe(0n);
    for (const updates of [keys.map((key) => [entries.get(key)!, 'new'] as const), [[entries.get(keys[0]!)!, 'new'] as const]]) {
      expect(await rejectionOf(mcas(store, updates))).toBeInstanceOf(CasUnsupportedError);
    }
    expect(await listKeys(withoutCas.addresses[0]!, 'mcc:mcas:')).toEqual([]);
    const after = await mcasGetMulti<string>(store, keys);
    expect(keys.map((key) => after.get(key)?.value)).toEqual(['kept', 'kept']);
  });

  test('an MCAS whose descriptor lands on the -C server is refused before anything is written', async () => {
    const store = pool.open([...withCas.addresses, ...withoutCas.addresses]);
    const casServer = withCas.addresses[0]!;
    const keys = uniqueKeys('mixed', 40).filter((key) => store.client.serverFor(key) === casServer).slice(0, 2);
    expect(keys).toHaveLength(2);
    for (const key of keys) await store.set(key, 0);
    let refused = 0;
    let applied = 0;
    for (let round = 1; round <= 24; round++) {
      const entries = await mcasGetMulti<number>(store, keys);
      try {
        expect(await mcas(store, keys.map((key) => [entries.get(key)!, round] as const))).toBe(true);
        applied++;
      } catch (error) {
        expect(error).toBeInstanceOf(CasUnsupportedError);
        refused++;
      }
      await expectNoReferences(store, keys);
      expect(await listKeys(withoutCas.addresses[0]!, 'mcc:mcas:')).toEqual([]);
      const values = await mcasGetMulti<number>(store, keys);
      expect(keys.map((key) => values.get(key)!.value)).toEqual(keys.map(() => (applied === 0 ? 0 : values.get(keys[0]!)!.value)));
    }
    expect(refused).toBeGreaterThan(0); // (each round: 1/2 chance; 24 rounds)
    expect(applied).toBeGreaterThan(0);
  });
});
