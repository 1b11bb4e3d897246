/**
 * Every command against real memcached: one server, and a 3-server cluster.
 * One table of cases runs on both setups; cases that touch keys use one key
 * per server (`keysOnEachServer`), so on the cluster every server is exercised.
 */
import { usePrivateMemcached, type MemcachedServer } from '@mcc/harness';
import { Client, ServerError, metricsDelta } from '../src';
import { Status } from '../src/wire/constants';
import { keysOnEachServer, rejectionOf, uniqueKey, waitFor } from './helpers';

interface Setup {
  client: Client;
  /** the harness servers, in `client.servers` order */
  servers: readonly MemcachedServer[];
}

type Case = [name: string, run: (setup: Setup) => Promise<void>];

/** Runs `operation` and returns what it cost in requests/responses/writes. */
async function cost<T>(client: Client, operation: () => Promise<T>): Promise<{ result: T; requests: number; responses: number; writes: number }> {
  const before = { ...client.metrics };
  const result = await operation();
  const delta = metricsDelta(before, client.metrics);
  return { result, requests: delta.requests, responses: delta.responses, writes: delta.writes };
}

const cases: Case[] = [
  ['get: hit returns value, flags and CAS; miss returns null', async ({ client }) => {
    for (const key of keysOnEachServer(client, 'get')) {
      expect(await client.get(key)).toBeNull();
      const cas = await client.set(key, 'hello', { flags: 42 });
      const item = await client.get(key);
      expect(item).not.toBeNull();
      expect(item!.key).toBe(key);
      expect(item!.value.toString()).toBe('hello');
      expect(item!.flags).toBe(42);
      expect(item!.cas).toBe(cas);
      expect(item!.epoch).toBe((await client.serverInfo(key)).epoch);
    }
  }],

  ['get from a named server: reads that server, wherever the ring places the key (one request)', async ({ client }) => {
    // Each key is written straight to every server (a client of that server alone), its value naming the server.
    const direct = client.servers.map((server) => new Client([server]));
    try {
      for (const key of keysOnEachServer(client, 'get-from')) {
        await Promise.all(direct.map((single, index) => single.set(key, client.servers[index]!)));
        for (const server of client.servers) {
          const epoch = (await client.serverInfo(server)).epoch;
          const { result: item, requests } = await cost(client, () => client.get(key, { server }));
          expect({ server, value: item!.value.toString(), epoch: item!.epoch, requests }).toEqual({ server, value: server, epoch, requests: 1 });
        }
        // Gone from one server: only that server's read misses.
        const emptied = client.servers.length - 1;
        await direct[emptied]!.delete(key);
        expect(await client.get(key, { server: client.servers[emptied]! })).toBeNull();
        const owner = client.serverFor(key);
        expect((await client.get(key))?.value.toString()).toBe(owner === client.servers[emptied] ? undefined : owner);
      }
    } finally {
      await Promise.all(direct.map((single) => single.close()));
    }
  }],

  ['set returns the new CAS from its reply (nothing read back); get returns the same CAS', async ({ client }) => {
    for (const key of keysOnEachServer(client, 'set-cas')) {
      await client.noop(client.serverFor(key)); // connected before measuring
      const first = await cost(client, () => client.set(key, 'v1'));
      expect(first.requests).toBe(1);
      expect(first.responses).toBe(1);
      expect(typeof first.result).toBe('bigint');
      expect(first.result! > 0n).toBe(true);
      expect((await client.get(key))!.cas).toBe(first.result);

      const second = await client.set(key, 'v2');
      expect(second).not.toBe(first.result);
      expect(second! > first.result!).toBe(true); // memcached's CAS counter only grows
      const item = await client.get(key);
      expect(item!.cas).toBe(second);
      expect(item!.value.toString()).toBe('v2');
    }
  }],

  ['set with the current CAS succeeds; with a stale CAS returns null and leaves the value', async ({ client }) => {
    for (const key of keysOnEachServer(client, 'set-stale')) {
      const cas1 = await client.set(key, 'one');
      const cas2 = await client.set(key, 'two', { cas: cas1!, epoch: (await client.get(key))!.epoch });
      expect(cas2).not.toBeNull();
      expect(cas2).not.toBe(cas1);
      // cas1 is stale now
      expect(await client.set(key, 'three', { cas: cas1! })).toBeNull();
      const item = await client.get(key);
      expect(item!.value.toString()).toBe('two');
      expect(item!.cas).toBe(cas2);
    }
  }],

  ['set with a CAS on a missing key returns null and does not create it', async ({ client }) => {
    for (const key of keysOnEachServer(client, 'set-cas-missing')) {
      const other = await client.set(uniqueKey('cas-source'), 'x'); // a real CAS value
      expect(await client.set(key, 'v', { cas: other! })).toBeNull();
      expect(await client.set(key, 'v', { cas: 1n })).toBeNull();
      expect(await client.get(key)).toBeNull();
    }
  }],

  ['add: creates a missing key; on an existing key returns null and keeps the value', async ({ client }) => {
    for (const key of keysOnEachServer(client, 'add')) {
      const cas = await client.add(key, 'first');
      expect(typeof cas).toBe('bigint');
      expect(await client.add(key, 'second')).toBeNull();
      const item = await client.get(key);
      expect(item!.value.toString()).toBe('first');
      expect(item!.cas).toBe(cas);
    }
  }],

  ['replace: on a missing key returns null and does not create it; on an existing key replaces', async ({ client }) => {
    for (const key of keysOnEachServer(client, 'replace')) {
      expect(await client.replace(key, 'nope')).toBeNull();
      expect(await client.get(key)).toBeNull();
      const cas1 = await client.set(key, 'old');
      const cas2 = await client.replace(key, 'new', { flags: 5 });
      expect(cas2).not.toBeNull();
      expect(cas2).not.toBe(cas1);
      const item = await client.get(key);
      expect(item!.value.toString()).toBe('new');
      expect(item!.flags).toBe(5);
      expect(item!.cas).toBe(cas2);
      // replace with a stale CAS
      expect(await client.replace(key, 'newer', { cas: cas1! })).toBeNull();
      expect((await client.get(key))!.value.toString()).toBe('new');
      // and with the current one
      expect(await client.replace(key, 'newer', { cas: cas2! })).not.toBeNull();
      expect((await client.get(key))!.value.toString()).toBe('newer');
    }
  }],

  ['append/prepend: concatenate, keep the flags, return the new CAS; null on a missing key', async ({ client }) => {
    for (const key of keysOnEachServer(client, 'concat')) {
      expect(await client.append(key, 'x')).toBeNull();
      expect(await client.prepend(key, 'x')).toBeNull();
      expect(await client.get(key)).toBeNull();

      const cas0 = await client.set(key, 'b', { flags: 77 });
      const cas1 = await client.append(key, 'c');
      const cas2 = await client.prepend(key, Buffer.from('a'));
      expect(cas1).not.toBeNull();
      expect(cas2).not.toBeNull();
      expect(new Set([cas0, cas1, cas2]).size).toBe(3);
      const item = await client.get(key);
      expect(item!.value.toString()).toBe('abc');
      expect(item!.flags).toBe(77);
      expect(item!.cas).toBe(cas2);
      // a stale CAS refuses the append
      expect(await client.append(key, 'z', { cas: cas1! })).toBeNull();
      expect(await client.append(key, 'd', { cas: cas2! })).not.toBeNull();
      expect((await client.get(key))!.value.toString()).toBe('abcd');
    }
  }],

  ['delete: missing → false; stale CAS → false and kept; matching CAS → true and gone', async ({ client }) => {
    for (const key of keysOnEachServer(client, 'delete')) {
      expect(await client.delete(key)).toBe(false);
      const cas1 = await client.set(key, 'v1');
      const cas2 = await client.set(key, 'v2');
      expect(await client.delete(key, { cas: cas1! })).toBe(false);
      expect((await client.get(key))!.value.toString()).toBe('v2');
      expect(await client.delete(key, { cas: cas2! })).toBe(true);
      expect(await client.get(key)).toBeNull();
      await client.set(key, 'v3');
      expect(await client.delete(key)).toBe(true);
      expect(await client.get(key)).toBeNull();
    }
  }],

  ['deleteQuiet awaited: true when deleted, false when missing or the CAS is stale; one NOOP fence', async ({ client }) => {
    for (const key of keysOnEachServer(client, 'delq')) {
      await client.noop(client.serverFor(key));
      const cas1 = await client.set(key, 'v1');
      const cas2 = await client.set(key, 'v2');
      expect(await client.deleteQuiet(key, { cas: cas1! })).toBe(false);
      expect((await client.get(key))!.value.toString()).toBe('v2');
      // binary: success is silent, DELETEQ + the NOOP fence that settles it, one write, one reply;
      // meta: one md and its reply (meta sends no quiet requests)
      const deleted = await cost(client, () => client.deleteQuiet(key, { cas: cas2! }));
      expect(deleted.result).toBe(true);
      expect(deleted.requests).toBe(client.protocol === 'binary' ? 2 : 1);
      expect(deleted.responses).toBe(1);
      expect(deleted.writes).toBe(1);
      expect(await client.get(key)).toBeNull();
      expect(await client.deleteQuiet(key)).toBe(false);
    }
  }],

  ['deleteQuiet not awaited: the key is gone for the next request', async ({ client }) => {
    for (const key of keysOnEachServer(client, 'delq-bg')) {
      await client.set(key, 'v');
      void client.deleteQuiet(key);
      expect(await client.get(key)).toBeNull();
    }
    // several fire-and-forget deletes in a row, then one read of each
    const keys = Array.from({ length: 30 }, (_, i) => uniqueKey(`delq-many-${i}`));
    await Promise.all(keys.map((key) => client.set(key, 'v')));
    for (const key of keys) void client.deleteQuiet(key);
    expect((await client.getMulti(keys)).size).toBe(0);
  }],

  ['incr/decr: missing without initial → null; initial creates without applying the delta', async ({ client }) => {
    for (const key of keysOnEachServer(client, 'counter')) {
      expect(await client.incr(key, 1)).toBeNull();
      expect(await client.decr(key, 1)).toBeNull();
      expect(await client.get(key)).toBeNull();
      expect(await client.incr(key, 5, { initial: 10 })).toBe(10n);
      expect(await client.incr(key, 5, { initial: 10 })).toBe(15n);
      expect(await client.incr(key)).toBe(16n);
      expect(await client.incr(key, 100n)).toBe(116n);
      expect(await client.decr(key, 16)).toBe(100n);
      expect((await client.get(key))!.value.toString()).toBe('100');

      const other = `${key}:decr`;
      expect(await client.decr(other, 3, { initial: 7 })).toBe(7n);
      expect(await client.decr(other, 3)).toBe(4n);
      expect(await client.decr(other, 1000)).toBe(0n); // floors at 0
      expect(await client.decr(other, 1)).toBe(0n);
      expect((await client.get(other))!.value.toString()).toBe('0');
    }
  }],

  ['incr/decr: on a value set as text, and 64-bit wrap-around', async ({ client }) => {
    for (const key of keysOnEachServer(client, 'counter-text')) {
      await client.set(key, '41');
      expect(await client.incr(key)).toBe(42n);
      const max = (1n << 64n) - 1n;
      await client.set(key, max.toString());
      expect(await client.decr(key, 1)).toBe(max - 1n);
      expect(await client.incr(key, 2)).toBe(0n); // unsigned 64-bit wrap, as memcached does
    }
  }],

  ['incr on a non-numeric value → ServerError with status 6, key and server set', async ({ client }) => {
    for (const key of keysOnEachServer(client, 'counter-nan')) {
      await client.set(key, 'not a number');
      const error = await rejectionOf(client.incr(key, 1));
      expect(error).toBeInstanceOf(ServerError);
      expect((error as ServerError).status).toBe(Status.NonNumericValue);
      expect((error as ServerError).status).toBe(6);
      expect((error as ServerError).code).toBe('MCC_ERR_SERVER');
      expect((error as ServerError).key).toBe(key);
      expect((error as ServerError).server).toBe(client.serverFor(key));
      const decrError = await rejectionOf(client.decr(key, 1));
      expect((decrError as ServerError).status).toBe(6);
      // the connection is still usable and the value untouched
      expect((await client.get(key))!.value.toString()).toBe('not a number');
    }
  }],

  ['touch: true on an existing key, false on a missing one', async ({ client }) => {
    for (const key of keysOnEachServer(client, 'touch')) {
      expect(await client.touch(key, 100)).toBe(false);
      expect(await client.get(key)).toBeNull();
      await client.set(key, 'v');
      expect(await client.touch(key, 100)).toBe(true);
      const item = await client.get(key);
      expect(item!.value.toString()).toBe('v');
    }
  }],

  ['noop: every server, and one named server', async ({ client, servers }) => {
    const before = { ...client.metrics };
    await expect(client.noop()).resolves.toBeUndefined();
    expect(metricsDelta(before, client.metrics).requests).toBe(servers.length);
    for (const server of client.servers) {
      const one = { ...client.metrics };
      await expect(client.noop(server)).resolves.toBeUndefined();
      expect(metricsDelta(one, client.metrics).requests).toBe(1);
    }
  }],

  ['version: one entry per server', async ({ client }) => {
    const versions = await client.version();
    expect([...versions.keys()]).toEqual(client.servers);
    for (const version of versions.values()) expect(version).toBe('1.6.18');
  }],

  ['stats and stats("settings"): per server, from the right process', async ({ client, servers }) => {
    const stats = await client.stats();
    expect([...stats.keys()]).toEqual(client.servers);
    servers.forEach((server, index) => {
      const own = stats.get(client.servers[index]!)!;
      expect(own.get('pid')).toBe(String(server.pid));
      expect(own.get('version')).toBe('1.6.18');
      expect(Number(own.get('curr_items'))).toBeGreaterThanOrEqual(0);
      expect(own.has('get_hits')).toBe(true);
    });
    const settings = await client.stats('settings');
    expect([...settings.keys()]).toEqual(client.servers);
    servers.forEach((server, index) => {
      const own = settings.get(client.servers[index]!)!;
      expect(own.get('cas_enabled')).toBe('yes');
      expect(own.get('item_size_max')).toBe(String(1024 * 1024));
      expect(own.get('tcpport')).toBe(String(server.port));
      expect(own.has('curr_items')).toBe(false); // a different group
    });
  }],

  ['flush: every item on every server is gone', async ({ client }) => {
    const keys = Array.from({ length: 60 }, (_, i) => uniqueKey(`flush-${i}`));
    await Promise.all(keys.map((key) => client.set(key, 'v')));
    expect((await client.getMulti(keys)).size).toBe(60);
    if (client.servers.length > 1) expect(new Set(keys.map((key) => client.serverFor(key))).size).toBe(client.servers.length);
    await expect(client.flush()).resolves.toBeUndefined();
    expect((await client.getMulti(keys)).size).toBe(0);
    // the servers still work
    const key = keys[0]!;
    expect(await client.add(key, 'again')).not.toBeNull();
  }],

  ['flags round trip: 0, 1, 0x80000000 and 0xffffffff', async ({ client }) => {
    for (const key of keysOnEachServer(client, 'flags')) {
      for (const flags of [0, 1, 0x80000000, 0xffffffff]) {
        await client.set(key, 'v', { flags });
        expect((await client.get(key))!.flags).toBe(flags);
        expect((await client.getMulti([key])).get(key)!.flags).toBe(flags);
      }
      await client.set(key, 'v'); // default flags
      expect((await client.get(key))!.flags).toBe(0);
    }
  }],

  ['binary values: every byte value, empty, and large (un-copied) values read back intact', async ({ client }) => {
    const all = Buffer.alloc(256 * 4);
    for (let i = 0; i < all.length; i++) all[i] = i % 256;
    const large = Buffer.alloc(300_000);
    for (let i = 0; i < large.length; i++) large[i] = (i * 7919) % 251;
    for (const key of keysOnEachServer(client, 'binary')) {
      await client.set(key, all);
      expect((await client.get(key))!.value.equals(all)).toBe(true);
      await client.set(key, new Uint8Array(all.buffer, 10, 20)); // a view, not the whole buffer
      expect((await client.get(key))!.value.equals(all.subarray(10, 30))).toBe(true);
      await client.set(key, Buffer.alloc(0));
      expect((await client.get(key))!.value.length).toBe(0);
      await client.set(key, large);
      expect((await client.get(key))!.value.equals(large)).toBe(true);
      await client.set(key, 'zażółć gęślą jaźń ✓');
      expect((await client.get(key))!.value.toString('utf8')).toBe('zażółć gęślą jaźń ✓');
    }
  }],

  ['UTF-8 keys: stored, read and listed by getMulti under the same string', async ({ client }) => {
    const keys = [uniqueKey('ключ'), uniqueKey('鍵😀'), uniqueKey('ü{tag}ß')];
    // a key of exactly 250 UTF-8 bytes made of 2-byte characters
    const prefix = uniqueKey('max');
    const maxKey = prefix + 'é'.repeat((250 - Buffer.byteLength(prefix)) >> 1) + ((250 - Buffer.byteLength(prefix)) % 2 ? 'x' : '');
    expect(Buffer.byteLength(maxKey)).toBe(250);
    keys.push(maxKey);
    for (const [index, key] of keys.entries()) {
      const cas = await client.set(key, `value ${index}`);
      const item = await client.get(key);
      expect(item!.key).toBe(key);
      expect(item!.value.toString()).toBe(`value ${index}`);
      expect(item!.cas).toBe(cas);
    }
    const found = await client.getMulti(keys);
    expect([...found.keys()].sort()).toEqual([...keys].sort());
    for (const [index, key] of keys.entries()) expect(found.get(key)!.value.toString()).toBe(`value ${index}`);
  }],

  ['ttl: an item with a 1 s ttl expires; touch extends (ttl 0) and shortens (ttl 1) expiry', async ({ client }) => {
    // One server's clock orders the expiries, so a hash tag keeps the four keys together.
    const tag = uniqueKey('ttl');
    const [shortened, extended, expiring, forever] = ['shortened', 'extended', 'expiring', 'forever'].map((name) => `{${tag}}${name}`);
    for (const key of [shortened, extended, expiring, forever]) expect(client.serverFor(key!)).toBe(client.serverFor(tag));
    // Order matters: memcached expires at "now + ttl" on its own second-granularity clock,
    // so `extended` and `shortened` get expiry times no later than `expiring`'s.
    await client.set(extended!, 'e', { ttl: 1 });
    await client.set(shortened!, 's');
    expect(await client.touch(shortened!, 1)).toBe(true);
    expect(await client.touch(extended!, 0)).toBe(true);
    await client.set(expiring!, 'x', { ttl: 1 });
    await client.set(forever!, 'f');
    // Wait for the condition, not a fixed 2.1 s: a 1 s ttl ends at memcached's next clock tick
    // after "now + 1", i.e. within ~2 s. Once `expiring` is gone, `shortened` must be gone and
    // `extended` would be, had the touch not cleared its expiry.
    await waitFor(async () => (await client.get(expiring!)) === null, 'the 1 s ttl item to expire', 2500, 50);
    expect(await client.get(shortened!)).toBeNull();
    expect((await client.get(extended!))!.value.toString()).toBe('e');
    expect((await client.get(forever!))!.value.toString()).toBe('f');
  }],
];

describe.each([
  ['one server', 1],
  ['three servers', 3],
])('commands on %s', (_name, count) => {
  const mc = usePrivateMemcached(count);
  const setup = {} as Setup;

  beforeAll(() => {
    setup.client = new Client(mc.addresses);
    setup.servers = mc.servers;
  });
  afterAll(async () => {
    await setup.client.close();
  });

  test('the client lists the servers in the order given', () => {
    expect(setup.client.servers).toEqual(mc.addresses);
  });

  test.each(cases)('%s', async (_case, run) => {
    const errorsBefore = setup.client.metrics.errors;
    await run(setup);
    // ordinary misses and CAS mismatches are not errors; only the incr-on-text case fails on purpose
    const failedOnPurpose = _case.startsWith('incr on a non-numeric') ? 2 * setup.client.servers.length : 0;
    expect(setup.client.metrics.errors - errorsBefore).toBe(failedOnPurpose);
  });
});
