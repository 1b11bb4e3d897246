/**
 * Optimistic concurrency through CAS: clients racing read-modify-write loops
 * on shared counters lose no update and apply none twice.
 */
import { useMemcached } from '@mcc/harness';
import { Client } from '../src';
import { uniqueKey } from './helpers';

/** Increments the decimal counter at `key` by one with get + CAS set, retrying on conflicts. Returns the conflicts seen. */
async function casIncrement(client: Client, key: string): Promise<number> {
  for (let conflicts = 0; ; conflicts++) {
    const item = await client.get(key);
    if (item === null) throw new Error(`counter ${key} vanished`);
    const next = String(Number(item.value.toString()) + 1);
    const cas = await client.set(key, next, { cas: item.cas, epoch: item.epoch });
    if (cas !== null) {
      expect(cas).not.toBe(item.cas);
      return conflicts;
    }
    if (conflicts > 10_000) throw new Error(`gave up on ${key} after ${conflicts} conflicts`);
  }
}

/** `workers` concurrent loops on `client`, each doing `times` increments of `key`; returns the conflicts seen. */
async function race(client: Client, key: string, workers: number, times: number): Promise<number> {
  const perWorker = await Promise.all(
    Array.from({ length: workers }, async () => {
      let conflicts = 0;
      for (let i = 0; i < times; i++) conflicts += await casIncrement(client, key);
      return conflicts;
    }),
  );
  return perWorker.reduce((sum, value) => sum + value, 0);
}

describe('CAS races on one server', () => {
  const mc = useMemcached(1);
  let clients: Client[];
  beforeAll(() => {
    clients = [new Client(mc.addresses), new Client(mc.addresses)];
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
  });

  test('2 clients × 500 read-modify-CAS increments of one counter end at exactly 1000', async () => {
    const key = uniqueKey('cas-counter');
    expect(await clients[0]!.add(key, '0')).not.toBeNull();
    // each client runs 2 loops of 250, so conflicts happen even between loops of one client
    const conflicts = await Promise.all(clients.map((client) => race(client, key, 2, 250)));
    const item = await clients[1]!.get(key);
    expect(item!.value.toString()).toBe('1000');
    // the race really happened: some CAS writes lost and were retried
    expect(conflicts[0]! + conflicts[1]!).toBeGreaterThan(0);
  });

  test('a CAS taken by one client is stale for the other after the first wins', async () => {
    const [a, b] = clients as [Client, Client];
    const key = uniqueKey('cas-two');
    await a.set(key, 'start');
    const seenByA = (await a.get(key))!;
    const seenByB = (await b.get(key))!;
    expect(seenByA.cas).toBe(seenByB.cas);
    const winner = await b.set(key, 'b', { cas: seenByB.cas, epoch: seenByB.epoch });
    expect(winner).not.toBeNull();
    expect(await a.set(key, 'a', { cas: seenByA.cas, epoch: seenByA.epoch })).toBeNull();
    expect(await a.delete(key, { cas: seenByA.cas, epoch: seenByA.epoch })).toBe(false);
    const final = (await a.get(key))!;
    expect(final.value.toString()).toBe('b');
    expect(final.cas).toBe(winner);
  });
});

describe('CAS races on three servers', () => {
  const mc = useMemcached(3);
  let clients: Client[];
  beforeAll(() => {
    clients = [new Client(mc.addresses), new Client(mc.addresses)];
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
  });

  test('2 clients racing on 30 counters across the cluster: every counter ends at its exact sum', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => uniqueKey(`cas-many-${i}`));
    const owners = new Set(keys.map((key) => clients[0]!.serverFor(key)));
    expect(owners.size).toBe(3);
    await Promise.all(keys.map((key) => clients[0]!.set(key, '0')));
    // per client and key: 2 concurrent loops of 20 increments → 80 per key in all
    const conflicts = await Promise.all(clients.flatMap((client) => keys.map((key) => race(client, key, 2, 20))));
    const found = await clients[1]!.getMulti(keys);
    expect(found.size).toBe(keys.length);
    for (const key of keys) expect(found.get(key)!.value.toString()).toBe('80');
    expect(conflicts.reduce((sum, value) => sum + value, 0)).toBeGreaterThan(0);
  });
});
