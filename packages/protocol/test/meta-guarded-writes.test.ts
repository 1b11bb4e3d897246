/**
 * On the meta wire, writes to a server that does not evict (-M) that must
 * keep the item when refused go as text commands (add, replace, cas) plus a
 * read-back `mg` for the new CAS (see commands/store.ts). Their results
 * must be those of every other path: the new CAS (the one a get then
 * returns), null on a mismatch, a missing key or an existing one for add.
 * Meta-only by nature, so it runs with `protocol: 'meta'` in both test runs.
 */
import { startMemcached, type MemcachedServer } from '@mcc/harness';
import { Client } from '../src';
import { uniqueKey } from './helpers';

describe('meta writes on a -M server (text commands with a read-back)', () => {
  let server: MemcachedServer;
  let client: Client;

  beforeAll(async () => {
    server = await startMemcached({ evictions: false });
    client = new Client([server.address], { protocol: 'meta' });
  });
  afterAll(async () => {
    await client?.close();
    await server?.kill();
  });

  test('add, replace and set with a CAS give the CAS a get returns; mismatches give null', async () => {
    const key = uniqueKey('guarded');
    const added = await client.add(key, 'one', { flags: 7, ttl: 100 });
    expect(added).not.toBeNull();
    expect(await client.get(key)).toMatchObject({ cas: added, flags: 7 });
    expect(await client.add(key, 'again')).toBeNull();

    const replaced = await client.replace(key, 'two', { flags: 8 });
    expect((await client.get(key))!.cas).toBe(replaced);
    expect(await client.replace(uniqueKey('missing'), 'x')).toBeNull();

    const conditional = await client.set(key, Buffer.alloc(5000, 0x33), { cas: replaced!, flags: 9 });
    const item = (await client.get(key))!;
    expect(item.cas).toBe(conditional);
    expect(item.flags).toBe(9);
    expect(item.value.equals(Buffer.alloc(5000, 0x33))).toBe(true);
    expect(await client.set(key, 'stale', { cas: replaced! })).toBeNull(); // mismatch
    expect(await client.replace(key, 'stale', { cas: replaced! })).toBeNull();
    expect(await client.set(uniqueKey('gone'), 'x', { cas: 12345n })).toBeNull(); // missing
    expect((await client.get(key))!.cas).toBe(conditional);
  });

  test('pipelined guarded writes and reads stay in step', async () => {
    const keys = Array.from({ length: 50 }, (_, i) => uniqueKey(`pipe${i}`));
    const added = await Promise.all(keys.map((key, i) => client.add(key, `v${i}`)));
    const [items, again] = await Promise.all([client.getMulti(keys), Promise.all(keys.map((key) => client.add(key, 'no')))]);
    expect(again.every((result) => result === null)).toBe(true);
    keys.forEach((key, i) => expect(items.get(key)).toMatchObject({ cas: added[i] }));
    const next = await Promise.all(keys.map((key, i) => client.set(key, `w${i}`, { cas: added[i]! })));
    const after = await client.getMulti(keys);
    keys.forEach((key, i) => expect(after.get(key)).toMatchObject({ cas: next[i] }));
  });

  test('a racing conditional write: exactly one of two writers wins, and the winner holds the current CAS', async () => {
    const key = uniqueKey('race');
    const other = new Client([server.address], { protocol: 'meta' });
    try {
      for (let round = 0; round < 20; round++) {
        const base = await client.set(key, `base${round}`);
        const [a, b] = await Promise.all([client.set(key, `a${round}`, { cas: base! }), other.set(key, `b${round}`, { cas: base! })]);
        expect([a, b].filter((result) => result !== null)).toHaveLength(1);
        const item = (await client.get(key))!;
        expect(item.cas).toBe(a ?? b);
        expect(item.value.toString()).toBe(a !== null ? `a${round}` : `b${round}`);
      }
    } finally {
      await other.close();
    }
  });
});
