/**
 * Untrusted bytes: truncated, corrupt or hostile input must end in a
 * DecodeError, quickly, never in a wrong value, a hang or a huge allocation.
 */
import { Packr, Unpackr } from 'msgpackr';
import { DecodeError } from './errors';
import { msgpackCodec } from './msgpack-codec';
import { MAX_DEPTH } from './prepare-value';
import { RandomValues, seededRandom } from './__tests__/random-value';

const { encode, decode } = msgpackCodec;
const SEED = Number(process.env.MCC_TEST_SEED ?? 20240611);

function decodeError(bytes: Uint8Array): DecodeError {
  try {
    decode(Buffer.from(bytes));
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error(`decoded ${Buffer.from(bytes).toString('hex')} without error`);
}

/** Decodes hostile input: a DecodeError, or a value that is itself encodable (inside the type mapping). */
function decodeHostile(bytes: Buffer): void {
  let value: unknown;
  try {
    value = decode(bytes);
  } catch (error) {
    if (error instanceof DecodeError) return;
    throw new Error(`input ${bytes.toString('hex')} threw ${String(error)} instead of a DecodeError`);
  }
  expect(() => encode(value)).not.toThrow();
}

describe('truncated input', () => {
  test('every prefix of a valid encoding is a DecodeError', () => {
    const random = new RandomValues(SEED);
    let checked = 0;
    for (let sample = 0; sample < 150; sample++) {
      const bytes = encode(random.value());
      if (bytes.length > 4096) continue;
      for (let length = 0; length < bytes.length; length++) {
        expect(decodeError(bytes.subarray(0, length)).code).toBe('MCC_ERR_DECODE');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  test('trailing bytes after a value are a DecodeError', () => {
    expect(decodeError(Buffer.concat([encode({ a: 1 }), Buffer.from([0xc0])])).reason).toMatch(/1 unexpected byte after the value/);
  });

  test('empty input is a DecodeError', () => {
    expect(decodeError(Buffer.alloc(0)).reason).toMatch(/truncated/);
  });
});

describe('corrupt length fields fail fast, before any allocation', () => {
  const cases: [string, number[]][] = [
    ['array32 claiming 2^32-1 elements', [0xdd, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5]],
    ['map32 claiming 2^32-1 entries', [0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 0x61, 1, 2, 3]],
    ['array16 claiming 65535 elements', [0xdc, 0xff, 0xff, 1, 2, 3, 4, 5, 6, 7]],
    ['nested array16 headers', [0x91, 0xdc, 0xff, 0xff, 0xdc, 0xff, 0xff, 0xdc, 0xff, 0xff]],
    ['str32 claiming 4 GiB', [0xdb, 0xff, 0xff, 0xff, 0xff, 0x61, 0x62, 0x63, 0x64, 0x65]],
    ['bin32 claiming 4 GiB', [0xc6, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4, 5]],
    ['ext32 claiming 4 GiB', [0xc9, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4]],
    ['map16 whose pairs do not fit', [0xde, 0x00, 0x05, 0xa1, 0x61, 0x01, 0xa1, 0x62, 0x02, 0x00]],
  ];

  test.each(cases)('%s', (_name, bytes) => {
    const unpack = jest.spyOn(Unpackr.prototype, 'unpack');
    try {
      const started = performance.now();
      const error = decodeError(Uint8Array.from(bytes));
      // A guard against a hang or a giant allocation, not a speed test: generous, so a loaded machine never trips it.
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(error.reason).toMatch(/claims|truncated/);
      expect(unpack).not.toHaveBeenCalled(); // refused by the scan: msgpackr never saw it
    } finally {
      unpack.mockRestore();
    }
  });

  test('nesting deeper than MAX_DEPTH is refused without recursion', () => {
    const bytes = Buffer.alloc(100_000, 0x91); // 100k nested one-element arrays…
    bytes[bytes.length - 1] = 0x01; // …around a 1
    expect(decodeError(bytes).reason).toBe(`nesting deeper than ${MAX_DEPTH} levels`);
  });
});

test('a scan that failed deep inside leaves nothing behind for the next one', () => {
  const deep = Buffer.alloc(600, 0x91);
  expect(decodeError(deep).reason).toBe(`nesting deeper than ${MAX_DEPTH} levels`);
  expect(decodeError(Buffer.from([0x82, 0xa1, 0x61, 0x92, 0x01])).reason).toMatch(/claims 2 elements/);
  expect(decode(encode({ a: [1, { b: 'c' }], d: 'e' }))).toStrictEqual({ a: [1, { b: 'c' }], d: 'e' });
});

describe('bytes outside the format', () => {
  test.each<[string, number[], RegExp]>([
    ['the reserved byte 0xc1', [0xc1], /0xc1 is reserved/],
    ['an integer map key', [0x81, 0x01, 0x02], /map key is an integer/],
    ['a binary map key', [0x81, 0xc4, 0x01, 0x61, 0x02], /map key is binary data/],
    ['an array map key', [0x81, 0x90, 0x02], /map key is an array/],
    ['invalid UTF-8 in a string', [0xa2, 0xc3, 0x28], /not valid UTF-8/],
    ['invalid UTF-8 in a key', [0x81, 0xa1, 0xff, 0x01], /not valid UTF-8/],
    ['an unknown extension type', [0xd4, 0x05, 0x00], /extension type 5 is not part of the mcc format/],
    ["msgpackr's undefined (ext 0)", [0xd4, 0x00, 0x00], /extension type 0/],
    ['a timestamp of 2 bytes', [0xd5, 0xff, 0x00, 0x00], /timestamp has 2 bytes/],
    ['a timestamp 64 with 10^9 nanoseconds', [0xd7, 0xff, 0xee, 0x6b, 0x28, 0x00, 0, 0, 0, 0], /nanoseconds/],
    ['a timestamp 96 beyond the Date range', [0xc7, 12, 0xff, 0, 0, 0, 0, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], /outside the range/],
  ])('%s', (_name, bytes, reason) => {
    expect(decodeError(Uint8Array.from(bytes)).reason).toMatch(reason);
  });

  test.each<[string, ConstructorParameters<typeof Packr>[0], unknown]>([
    ['records', { useRecords: true }, [{ a: 1, b: 2 }, { a: 3, b: 4 }]],
    ['structured clone references', { structuredClone: true }, (() => { const shared = { x: 1 }; return [shared, shared]; })()],
    ['structured clone types (Set)', { moreTypes: true }, new Set([1, 2])],
    ['bundled strings', { bundleStrings: true, useRecords: false }, { text: 'a string long enough to be bundled'.repeat(4) }],
    ['the bigint extension', { useBigIntExtension: true }, 2n ** 70n],
    ['typed arrays', { moreTypes: true }, new Float64Array([1.5])],
  ])("msgpackr-only extension: %s is refused, never misread", (_name, options, value) => {
    const bytes = new Packr(options).pack(value);
    expect(decodeError(bytes).code).toBe('MCC_ERR_DECODE');
  });
});

describe('garbage never yields a wrong value or a hang', () => {
  test('random bytes: a DecodeError or an encodable value', () => {
    const random = seededRandom(SEED);
    const started = performance.now();
    for (let sample = 0; sample < 20_000; sample++) {
      const length = Math.floor(random() * 48);
      const bytes = Buffer.alloc(length);
      for (let index = 0; index < length; index++) bytes[index] = Math.floor(random() * 256);
      decodeHostile(bytes);
    }
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  test('valid encodings with flipped bytes: a DecodeError or an encodable value', () => {
    const random = seededRandom(SEED + 1);
    const values = new RandomValues(SEED + 1);
    for (let sample = 0; sample < 3_000; sample++) {
      const bytes = Buffer.from(encode(values.value()));
      if (bytes.length === 0) continue;
      const flips = 1 + Math.floor(random() * 3);
      for (let flip = 0; flip < flips; flip++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      decodeHostile(bytes);
    }
  });
});
