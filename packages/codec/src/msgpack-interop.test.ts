/**
 * Interop with a second, independent MessagePack implementation
 * (@msgpack/msgpack), both ways: bytes msgpackCodec wrote decode there to
 * equal values, and bytes it wrote decode here to the values of our mapping.
 */
import { decode as theirDecode, encode as theirEncode } from '@msgpack/msgpack';
import { msgpackCodec } from './msgpack-codec';
import { msgpackRoundTrip, RandomValues } from './__tests__/random-value';
import { expectSameValue } from './__tests__/same-value';

const SEED = Number(process.env.MCC_TEST_SEED ?? 20240611);
const THEIR_OPTIONS = { useBigInt64: true } as const;

/**
 * A form in which equal values of the two libraries compare equal: every
 * integer as a bigint (theirs reads any int64 as a bigint), binaries as
 * Buffers, Dates by time, objects as entry lists.
 */
function canonical(value: unknown): unknown {
  if (typeof value === 'number' && Number.isInteger(value) && Math.abs(value) <= 2 ** 53) return BigInt(value);
  if (value instanceof Uint8Array) return { binary: Buffer.from(value).toString('hex') };
  if (value instanceof Date) return { date: value.getTime() };
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') return Object.entries(value).map(([key, item]) => [key, canonical(item)]);
  return value;
}

const table: [string, unknown][] = [
  ['integers of every width', [0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53, -1, -32, -33, -129, -32769, -(2 ** 31) - 1, -(2 ** 53)]],
  ['int64 and uint64 bigints', [2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, 2n ** 64n - 1n]],
  ['floats', [1.5, -0.25, 1e300, Number.MIN_VALUE, 2 ** 53 + 2, NaN, Infinity, -Infinity]],
  ['timestamps 32, 64 and 96', [new Date(0), new Date(1000), new Date(1_700_000_000_123), new Date(-1), new Date(-1500), new Date(2 ** 34 * 1000 + 5), new Date(-8.64e15), new Date(8.64e15)]],
  ['binaries', [Buffer.alloc(0), Buffer.from([1, 2, 3]), Buffer.alloc(300, 9), Buffer.alloc(70_000, 1)]],
  ['strings', ['', 'x'.repeat(31), 'x'.repeat(32), 'ü'.repeat(200), '日本語 🎉', 'y'.repeat(70_000)]],
  ['containers', { empty: {}, list: [], nested: { a: [{ b: [null, true, false] }] }, wide: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i])) }],
];

describe('msgpackCodec → @msgpack/msgpack', () => {
  test.each(table)('%s', (_name, value) => {
    const decoded = theirDecode(msgpackCodec.encode(value), THEIR_OPTIONS);
    expect(canonical(decoded)).toEqual(canonical(value));
  });

  test('random values (seeded)', () => {
    const random = new RandomValues(SEED, { large: true });
    for (let sample = 0; sample < 300; sample++) {
      const value = random.value();
      if (containsProtoKey(value)) continue; // @msgpack/msgpack refuses a __proto__ key
      expect(canonical(theirDecode(msgpackCodec.encode(value), THEIR_OPTIONS))).toEqual(canonical(msgpackRoundTrip(value)));
    }
  });
});

describe('@msgpack/msgpack → msgpackCodec', () => {
  test.each(table)('%s', (_name, value) => {
    expectSameValue(msgpackCodec.decode(Buffer.from(theirEncode(value, THEIR_OPTIONS))), msgpackRoundTrip(value));
  });

  test('random values (seeded)', () => {
    const random = new RandomValues(SEED + 7, { large: true });
    for (let sample = 0; sample < 300; sample++) {
      const value = random.value();
      expectSameValue(msgpackCodec.decode(Buffer.from(theirEncode(value, THEIR_OPTIONS))), msgpackRoundTrip(value));
    }
  });

  test('their float32 form is read too', () => {
    const float32 = theirEncode(0.5, { forceFloat32: true });
    expect(float32[0]).toBe(0xca);
    expect(msgpackCodec.decode(Buffer.from(float32))).toBe(0.5);
  });
});

function containsProtoKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(containsProtoKey);
  if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof Uint8Array) return false;
  return Object.keys(value).some((key) => key === '__proto__' || containsProtoKey((value as Record<string, unknown>)[key]));
}
