/**
 * Cross-language: Python (msgpack + pymemcache, nothing mcc-specific) reads
 * what TypeScript wrote and TypeScript reads what Python wrote, through a
 * real memcached, including a CAS round between the two.
 * Needs python3 with msgpack and pymemcache (Debian: python3-msgpack,
 * python3-pymemcache); MCC_PYTHON overrides the interpreter.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { useMemcached } from '@mcc/harness';
import { CodecMismatchError, connect, rawCodec, Store } from '../../src';
import { expectSameValue } from '../../src/__tests__/same-value';
import { msgpackRoundTrip } from '../../src/__tests__/random-value';
import { rejection, uniqueKey } from './helpers';

const PYTHON = process.env.MCC_PYTHON ?? '/usr/bin/python3';
const SCRIPT = path.join(__dirname, '..', 'fixtures', 'interop.py');

type Tagged = null | boolean | string | Tagged[] | { int: string } | { float: string } | { bin: string } | { ts: [number, number] } | { map: [string, Tagged][] };

const memcached = useMemcached(1);
let store: Store;

beforeAll(() => {
  const probe = spawnSync(PYTHON, ['-c', 'import msgpack, pymemcache'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(`${PYTHON} cannot import msgpack and pymemcache (apt-get install python3-msgpack python3-pymemcache): ${probe.stderr ?? probe.error}`);
  }
  store = connect(memcached.addresses);
});
afterAll(async () => {
  await store?.close();
});

function python<T>(command: string, request: unknown): T {
  const result = spawnSync(PYTHON, [SCRIPT, memcached.addresses[0]!, command], {
    input: JSON.stringify(request), encoding: 'utf8', timeout: 20_000,
  });
  if (result.status !== 0) throw new Error(`interop.py ${command} failed (${result.status ?? result.signal}): ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** Python's tagged description as a value of the mcc type mapping. */
function fromPython(tagged: Tagged): unknown {
  if (tagged === null || typeof tagged !== 'object') return tagged;
  if (Array.isArray(tagged)) return tagged.map(fromPython);
  if ('int' in tagged) {
    const big = BigInt(tagged.int);
    return big >= -(2n ** 53n) && big <= 2n ** 53n ? Number(big) : big;
  }
  if ('float' in tagged) return ({ nan: NaN, inf: Infinity, '-inf': -Infinity } as Record<string, number>)[tagged.float] ?? Number(tagged.float);
  if ('bin' in tagged) return Buffer.from(tagged.bin, 'hex');
  if ('ts' in tagged) return new Date(tagged.ts[0] * 1000 + Math.trunc(tagged.ts[1] / 1e6));
  const object: Record<string, unknown> = {};
  for (const [key, item] of tagged.map) Object.defineProperty(object, key, { value: fromPython(item), writable: true, enumerable: true, configurable: true });
  return object;
}

describe('TypeScript writes, Python reads', () => {
  const cases: [string, unknown, Tagged?][] = [
    ['null', null, null],
    ['boolean', true, true],
    ['small integer', -33, { int: '-33' }],
    ['integral number beyond 32 bits (an int, not a float)', 2 ** 40, { int: '1099511627776' }],
    ['2^53', 2 ** 53, { int: '9007199254740992' }],
    ['uint64 bigint', 2n ** 64n - 1n, { int: '18446744073709551615' }],
    ['int64 bigint', -(2n ** 63n), { int: '-9223372036854775808' }],
    ['float', 1.5, { float: '1.5' }],
    ['integral number beyond 2^53 (a float)', 2 ** 60, { float: '1.152921504606847e+18' }],
    ['NaN', NaN, { float: 'nan' }],
    ['string', 'héllo 🎉 日本', 'héllo 🎉 日本'],
    ['binary', Buffer.from([0, 1, 255]), { bin: '0001ff' }],
    ['Date with milliseconds', new Date(1_700_000_000_123), { ts: [1700000000, 123000000] }],
    ['Date before 1970', new Date(-1500), { ts: [-2, 500000000] }],
    ['nested, with a __proto__ key', JSON.parse('{"list": [1, "two", null, true], "__proto__": {"polluted": true}, "n": {"a": []}}')],
  ];

  test('values of every type of the mapping', async () => {
    const keys = cases.map(([name]) => uniqueKey(`to-python:${name.replace(/[^a-z0-9]+/gi, '-')}`));
    await Promise.all(cases.map(([, value], index) => store.set(keys[index]!, value)));
    const read = python<Record<string, { flags: number; kind: number; value: Tagged } | null>>('read', { keys });
    cases.forEach(([name, value, expectedTag], index) => {
      const found = read[keys[index]!];
      expect({ name, flags: found?.flags, kind: found?.kind }).toEqual({ name, flags: 0x4d430001, kind: 0 });
      if (expectedTag !== undefined) expect({ name, tag: found!.value }).toEqual({ name, tag: expectedTag });
      expectSameValue(fromPython(found!.value), msgpackRoundTrip(value));
    });
  });
});

describe('Python writes, TypeScript reads', () => {
  const expected: Record<string, unknown> = {
    u64max: 2n ** 64n - 1n,
    i64min: -(2n ** 63n),
    beyond53: 2n ** 53n + 1n,
    int40: 2 ** 40,
    small: -33,
    float: 1.5,
    nan: NaN,
    neginf: -Infinity,
    bytes: Buffer.from([0, 1, 255]),
    text: 'h\u00e9llo \u{1f389}',
    timestamp: new Date(1_700_000_000_123),
    before1970: new Date(-1500),
    nested: JSON.parse('{"list": [1, "two", null, true], "__proto__": {"polluted": true}, "map": {"a": {"b": []}}}'),
    tuple: [1, 2],
  };

  test('every value decodes to the mapped JS value; a __proto__ key stays data', async () => {
    const written = python<Record<string, string>>('write', { prefix: uniqueKey('from-python') + ':' });
    const names = Object.keys(expected);
    const entries = await store.getMulti(names.map((name) => written[name]!));
    for (const name of names) {
      const entry = entries.get(written[name]!);
      expect({ name, kind: entry?.kind }).toEqual({ name, kind: 0 });
      expectSameValue(entry!.value, expected[name]);
    }
    const nested = entries.get(written.nested!)!.value as Record<string, unknown>;
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    // Untagged bytes (flags 0) read through the raw codec only.
    const rawStore = connect(memcached.addresses, { codec: rawCodec });
    try {
      expect((await rawStore.get(written.untagged!))?.value).toEqual(Buffer.from('plain bytes'));
      expect(await rejection(store.get(written.untagged!))).toBeInstanceOf(CodecMismatchError);
    } finally {
      await rawStore.close();
    }
  });
});

test('a CAS round between the languages', async () => {
  const key = uniqueKey('cas-round');
  const mine = await store.set(key, { count: 1, owner: 'ts' });
  expect(python<{ stored: boolean; count: number }>('cas', { key })).toEqual({ stored: true, count: 2 });
  // Python's write changed the CAS: the TypeScript entry is stale now.
  expect(await store.cas(mine, { count: 100, owner: 'ts' })).toBeNull();
  const current = await store.get<{ count: number; owner: string }>(key);
  expect(current?.value).toEqual({ count: 2, owner: 'ts' });
  const next = await store.cas(current!, { ...current!.value, count: 3 });
  expect(next).not.toBeNull();
  expect(python<{ stored: boolean; count: number }>('cas', { key })).toEqual({ stored: true, count: 4 });
});
