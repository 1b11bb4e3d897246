import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../errors';
import { HashRing } from './hash-ring';
import { parseServerList, type ServerAddress } from './server-address';

const THREE = parseServerList('10.0.0.1:11211,10.0.0.2:11211,10.0.0.3:11211');
const KEYS = Array.from({ length: 10_000 }, (_, index) => `key:${index}`);

function owners(ring: HashRing, keys: readonly string[] = KEYS): Map<string, string> {
  return new Map(keys.map((key) => [key, ring.serverFor(key)]));
}

function countByServer(ring: HashRing, keys: readonly string[] = KEYS): Map<string, number> {
  const counts = new Map<string, number>(ring.servers.map((server) => [server, 0]));
  for (const key of keys) {
    const server = ring.serverFor(key);
    counts.set(server, (counts.get(server) ?? 0) + 1);
  }
  return counts;
}

/** The documented algorithm, written as plainly as possible, to check the optimised lookup against. */
function referenceOwner(servers: readonly ServerAddress[], key: string): string {
  const points: { point: number; server: string }[] = [];
  for (const server of servers) {
    for (let index = 0; index < (160 * server.weight) / 4; index++) {
      const digest = createHash('md5').update(`${server.key}-${index}`).digest();
      for (let h = 0; h < 4; h++) points.push({ point: digest.readUInt32LE(4 * h), server: server.key });
    }
  }
  points.sort((left, right) => left.point - right.point || (left.server < right.server ? -1 : left.server > right.server ? 1 : 0));
  const hash = createHash('md5').update(HashRing.hashPart(key)).digest().readUInt32LE(0);
  return (points.find((entry) => entry.point >= hash) ?? points[0])!.server;
}

describe('HashRing', () => {
  test('lists the server keys in the order given', () => {
    expect(new HashRing(THREE).servers).toEqual(['10.0.0.1:11211', '10.0.0.2:11211', '10.0.0.3:11211']);
  });

  test('is deterministic: two rings over the same servers agree on every key', () => {
    expect(owners(new HashRing(THREE))).toEqual(owners(new HashRing(parseServerList([...THREE].reverse().map((server) => server.key)))));
  });

  test('agrees with a plain implementation of the documented algorithm', () => {
    const servers = parseServerList('10.0.0.1:11211,10.0.0.2:11211:2,[::1]:11211');
    const ring = new HashRing(servers);
    for (const key of KEYS.slice(0, 2_000)) expect(ring.serverFor(key)).toBe(referenceOwner(servers, key));
  });

  // Regression check: these owners were computed once (and cross-checked with an
  // independent Python implementation) and are hard-coded on purpose. If this
  // test fails, the placement changed, and every deployed cluster would silently
  // look for its keys on the wrong servers. Do not update the table: fix the code.
  test.each([
    ['foo', '10.0.0.3:11211'],
    ['bar', '10.0.0.1:11211'],
    ['baz', '10.0.0.3:11211'],
    ['user:1', '10.0.0.3:11211'],
    ['deque:orders', '10.0.0.2:11211'],
    ['mcas:descriptor:7', '10.0.0.3:11211'],
    ['ключ', '10.0.0.2:11211'],
    ['', '10.0.0.2:11211'],
    // Its hash is above the last point, so it wraps to the first point.
    ['key:1559', '10.0.0.2:11211'],
  ])('places %j on %s (fixed placement)', (key, server) => {
    expect(new HashRing(THREE).serverFor(key)).toBe(server);
  });

  test('spreads 10,000 keys over 3 equal servers within ±15% of a third each', () => {
    for (const count of countByServer(new HashRing(THREE)).values()) {
      expect(count).toBeGreaterThan((KEYS.length / 3) * 0.85);
      expect(count).toBeLessThan((KEYS.length / 3) * 1.15);
    }
  });

  test('gives a weight-2 server about twice the keys of a weight-1 server', () => {
    const ring = new HashRing(parseServerList('10.0.0.1:11211:1,10.0.0.2:11211:2,10.0.0.3:11211:1'));
    const counts = countByServer(ring);
    const heavy = counts.get('10.0.0.2:11211') ?? 0;
    // Expected share: 2/4 of the keys for the heavy server, 1/4 for each of the others.
    expect(heavy / KEYS.length).toBeGreaterThan(0.5 * 0.85);
    expect(heavy / KEYS.length).toBeLessThan(0.5 * 1.15);
    for (const light of ['10.0.0.1:11211', '10.0.0.3:11211']) {
      const ratio = heavy / (counts.get(light) ?? 1);
      expect(ratio).toBeGreaterThan(1.6);
      expect(ratio).toBeLessThan(2.4);
    }
  });

  test('removing one of 4 servers moves only the keys it owned, about 1/4 of them', () => {
    const four = parseServerList('10.0.0.1:11211,10.0.0.2:11211,10.0.0.3:11211,10.0.0.4:11211');
    const before = owners(new HashRing(four));
    const after = owners(new HashRing(four.filter((server) => server.key !== '10.0.0.3:11211')));
    let moved = 0;
    for (const [key, owner] of before) {
      if (owner === '10.0.0.3:11211') moved++;
      else expect(after.get(key)).toBe(owner);
    }
    expect(moved / KEYS.length).toBeGreaterThan(0.25 * 0.85);
    expect(moved / KEYS.length).toBeLessThan(0.25 * 1.15);
  });

  test('adding a 5th server moves about 1/5 of the keys, all of them to the new server', () => {
    const four = parseServerList('10.0.0.1:11211,10.0.0.2:11211,10.0.0.3:11211,10.0.0.4:11211');
    const before = owners(new HashRing(four));
    const after = owners(new HashRing([...four, ...parseServerList('10.0.0.5:11211')]));
    let moved = 0;
    for (const [key, owner] of after) {
      if (owner === before.get(key)) continue;
      expect(owner).toBe('10.0.0.5:11211');
      moved++;
    }
    expect(moved / KEYS.length).toBeGreaterThan(0.2 * 0.85);
    expect(moved / KEYS.length).toBeLessThan(0.2 * 1.15);
  });

  describe('hash tags', () => {
    test.each([
      ['{user42}:a', 'user42'],
      ['{user42}:b', 'user42'],
      ['x{user42}y', 'user42'],
      ['{user42}{other}', 'user42'],
      ['user42', 'user42'],
      ['{}x', '{}x'],
      ['{}{user42}', '{}{user42}'],
      ['{a', '{a'],
      ['a}b{', 'a}b{'],
      ['', ''],
    ])('hashPart(%j) is %j', (key, part) => {
      expect(HashRing.hashPart(key)).toBe(part);
    });

    test('keys with the same tag, and the bare tag, share a server', () => {
      const ring = new HashRing(THREE);
      const server = ring.serverFor('user42');
      for (const key of ['{user42}:a', '{user42}:b', 'deque:{user42}:head']) expect(ring.serverFor(key)).toBe(server);
      // Many different tags still spread over every server.
      expect(new Set(Array.from({ length: 100 }, (_, index) => ring.serverFor(`{tag${index}}:a`))).size).toBe(3);
    });

    test('an empty or unclosed tag hashes the whole key', () => {
      const ring = new HashRing(THREE);
      expect(ring.serverFor('{}x')).toBe(referenceOwner(THREE, '{}x'));
      expect(ring.serverFor('{a')).toBe(referenceOwner(THREE, '{a'));
      expect(HashRing.hashPart('{}x')).not.toBe(HashRing.hashPart('x'));
    });
  });

  test('a single-server ring returns that server for any key', () => {
    const ring = new HashRing(parseServerList('[::1]:11211:5'));
    for (const key of ['', 'a', '{tag}b', ...KEYS.slice(0, 100)]) expect(ring.serverFor(key)).toBe('[::1]:11211');
  });

  test('pointsPerServer changes the ring but every key still has one owner', () => {
    const ring = new HashRing(THREE, { pointsPerServer: 4 });
    for (const key of KEYS.slice(0, 100)) expect(ring.servers).toContain(ring.serverFor(key));
  });

  test.each<[readonly ServerAddress[], { pointsPerServer?: number } | undefined, RegExp]>([
    [[], undefined, /at least one server/],
    [[...THREE, ...THREE.slice(0, 1)], undefined, /appears twice/],
    [[{ host: 'a', port: 1, weight: 0, key: 'a:1' }], undefined, /weight 0/],
    [[{ host: 'a', port: 1, weight: 1.5, key: 'a:1' }], undefined, /weight 1.5/],
    [THREE, { pointsPerServer: 0 }, /multiple of 4/],
    [THREE, { pointsPerServer: 10 }, /multiple of 4/],
    [THREE, { pointsPerServer: Number.NaN }, /multiple of 4/],
    [[{ host: 'a', port: 1, weight: 1e6, key: 'a:1' }], undefined, /points/],
  ])('rejects an invalid configuration (%#)', (servers, options, reason) => {
    expect(() => new HashRing(servers, options)).toThrow(InvalidArgumentError);
    expect(() => new HashRing(servers, options)).toThrow(reason);
  });
});
