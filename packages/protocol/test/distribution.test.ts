/**
 * Consistent hashing against real servers: keys spread evenly, requests go
 * where serverFor says, hash tags co-locate, and changing the server list
 * moves only the keys of the server that came or went.
 */
import { useMemcached } from '@mcc/harness';
import { Client } from '../src';
import { uniqueKey } from './helpers';

function countBy<T>(values: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

describe('distribution over three servers', () => {
  const mc = useMemcached(3);
  let client: Client;
  /** one single-server client per server, to see what each server really holds */
  let direct: Map<string, Client>;
  beforeAll(() => {
    client = new Client(mc.addresses);
    direct = new Map(mc.addresses.map((address) => [address, new Client([address])]));
  });
  afterAll(async () => {
    await Promise.all([client, ...direct.values()].map((c) => c.close()));
  });

  test('3,000 keys: each server owns 25–42% by serverFor, and holds exactly those items (stats curr_items)', async () => {
    const currItems = async (): Promise<Map<string, number>> =>
      new Map([...(await client.stats())].map(([server, stats]) => [server, Number(stats.get('curr_items'))]));
    const itemsBefore = await currItems();
    const base = uniqueKey('spread');
    const keys = Array.from({ length: 3000 }, (_, i) => `${base}:${i}`);
    const owners = countBy(keys.map((key) => client.serverFor(key)));
    expect([...owners.keys()].sort()).toEqual([...mc.addresses].sort());
    for (const count of owners.values()) {
      expect(count / keys.length).toBeGreaterThanOrEqual(0.25);
      expect(count / keys.length).toBeLessThanOrEqual(0.42);
    }

    await Promise.all(keys.map((key) => client.set(key, 'v')));
    const itemsAfter = await currItems();
    for (const server of mc.addresses) {
      expect({ server, added: itemsAfter.get(server)! - itemsBefore.get(server)! }).toEqual({ server, added: owners.get(server) });
    }
  });

  test('each item lives on the server serverFor names, and on no other', async () => {
    const base = uniqueKey('where');
    const keys = Array.from({ length: 300 }, (_, i) => `${base}:${i}`);
    await Promise.all(keys.map((key) => client.set(key, key)));
    for (const [server, single] of direct) {
      const found = await single.getMulti(keys);
      const expected = keys.filter((key) => client.serverFor(key) === server);
      expect(expected.length).toBeGreaterThan(0);
      expect([...found.keys()].sort()).toEqual(expected.sort());
    }
  });

  test('keys with the same hash tag share one server; different tags spread', async () => {
    const tags = Array.from({ length: 30 }, (_, i) => uniqueKey(`tag${i}`));
    const tagServers = new Set<string>();
    for (const tag of tags) {
      const variants = [`{${tag}}`, `{${tag}}:a`, `{${tag}}:b:c`, `prefix{${tag}}suffix`, `x{${tag}}{other}`, tag];
      const servers = new Set(variants.map((key) => client.serverFor(key)));
      expect(servers.size).toBe(1);
      const server = [...servers][0]!;
      tagServers.add(server);
      await Promise.all(variants.map((key) => client.set(key, 'v')));
      // all of them really are on that server
      expect((await direct.get(server)!.getMulti(variants)).size).toBe(variants.length);
    }
    expect(tagServers.size).toBe(3);
    // an empty tag or an unclosed brace hashes the whole key
    const untagged = Array.from({ length: 60 }, (_, i) => `{}${uniqueKey('empty')}:${i}`);
    expect(new Set(untagged.map((key) => client.serverFor(key))).size).toBe(3);
    const unclosed = Array.from({ length: 60 }, (_, i) => `{${uniqueKey('open')}:${i}`);
    expect(new Set(unclosed.map((key) => client.serverFor(key))).size).toBe(3);
  });

  test('removing a server moves only its own keys (about 1/3); adding a fourth moves about 1/4, only to it', () => {
    const [s1, s2, s3] = mc.addresses as [string, string, string];
    const two = new Client([s1, s2]);
    // the same servers in another order: placement does not depend on list order
    const reordered = new Client([s3, s1, s2]);
    // a server that is never contacted: serverFor needs no connection
    const s4 = '127.0.0.1:1';
    const four = new Client([s1, s2, s3, s4]);
    try {
      const base = uniqueKey('moves');
      const keys = Array.from({ length: 3000 }, (_, i) => `${base}:${i}`);
      let movedOnRemove = 0;
      let movedOnAdd = 0;
      for (const key of keys) {
        const owner = client.serverFor(key);
        expect(reordered.serverFor(key)).toBe(owner);
        const afterRemove = two.serverFor(key);
        if (owner === s3) {
          expect(afterRemove === s1 || afterRemove === s2).toBe(true);
          movedOnRemove++;
        } else {
          expect(afterRemove).toBe(owner); // keys of the remaining servers stay
        }
        const afterAdd = four.serverFor(key);
        if (afterAdd !== owner) {
          expect(afterAdd).toBe(s4); // keys only move to the new server
          movedOnAdd++;
        }
      }
      expect(movedOnRemove / keys.length).toBeGreaterThanOrEqual(0.25);
      expect(movedOnRemove / keys.length).toBeLessThanOrEqual(0.42);
      expect(movedOnAdd / keys.length).toBeGreaterThanOrEqual(0.18);
      expect(movedOnAdd / keys.length).toBeLessThanOrEqual(0.32);
    } finally {
      void two.close();
      void reordered.close();
      void four.close();
    }
  });
});
