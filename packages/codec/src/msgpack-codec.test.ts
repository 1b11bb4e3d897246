import { runInNewContext } from 'node:vm';
import { encodeByReference, msgpackCodec } from './msgpack-codec';
import { writeMsgpack } from './msgpack-writer';
import { DecodeError, EncodeError } from './errors';
import { MAX_DEPTH } from './prepare-value';
import { msgpackRoundTrip, RandomValues } from './__tests__/random-value';

const SEED = Number(process.env.MCC_TEST_SEED ?? 20240611);

const { encode, decode } = msgpackCodec;

function roundTrip(value: unknown): unknown {
  return decode(encode(value));
}

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let level = 0; level < depth; level++) value = [value];
  return value;
}

describe('msgpackCodec type mapping', () => {
  const identical: [string, unknown][] = [
    ['null', null],
    ['true', true],
    ['false', false],
    ...[0, 1, 127, 128, 255, 256, 65535, 65536, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40, 2 ** 53 - 1, 2 ** 53].map(
      (n): [string, unknown] => [`integer ${n}`, n],
    ),
    ...[-1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31), -(2 ** 31) - 1, -(2 ** 40), -(2 ** 53)].map(
      (n): [string, unknown] => [`integer ${n}`, n],
    ),
    ['float 1.5', 1.5],
    ['float -0.1', -0.1],
    ['float 1e300', 1e300],
    ['float 5e-324', Number.MIN_VALUE],
    ['integral number beyond 2^53 (a float64)', 2 ** 53 + 2],
    ['float 1e20', 1e20],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['bigint 2^53+1', 2n ** 53n + 1n],
    ['bigint -(2^53)-1', -(2n ** 53n) - 1n],
    ['bigint 2^63-1', 2n ** 63n - 1n],
    ['bigint -(2^63)', -(2n ** 63n)],
    ['bigint 2^63 (uint64)', 2n ** 63n],
    ['bigint 2^64-1 (uint64)', 2n ** 64n - 1n],
    ['empty string', ''],
    ['fixstr', 'hello'],
    ['31-byte string', 'x'.repeat(31)],
    ['32-byte string (str8)', 'x'.repeat(32)],
    ['256-byte string (str16)', 'x'.repeat(256)],
    ['65536-byte string (str32)', 'y'.repeat(65536)],
    ['unicode', 'héllo wörld — 日本語 🎉 \u0000 \u{10ffff}'],
    ['empty Buffer', Buffer.alloc(0)],
    ['Buffer', Buffer.from([0, 1, 2, 255])],
    ['70000-byte Buffer (bin32)', Buffer.alloc(70000, 7)],
    ['Date at the epoch (timestamp 32)', new Date(0)],
    ['Date with milliseconds (timestamp 64)', new Date(1_700_000_000_123)],
    ['Date before 1970 (timestamp 96)', new Date(-1500)],
    ['Date after 2106 (timestamp 64)', new Date(2 ** 32 * 1000 + 1)],
    ['Date after 2514 (timestamp 96)', new Date(2 ** 34 * 1000)],
    ['latest Date', new Date(8.64e15)],
    ['earliest Date', new Date(-8.64e15)],
    ['empty array', []],
    ['array of 15 (fixarray)', Array.from({ length: 15 }, (_, index) => index)],
    ['array of 16 (array16)', Array.from({ length: 16 }, (_, index) => index)],
    ['array of 65536 (array32)', Array.from({ length: 65536 }, (_, index) => index % 3)],
    ['empty object', {}],
    ['object of 16 keys (map16)', Object.fromEntries(Array.from({ length: 16 }, (_, index) => [`k${index}`, index]))],
    ['nested', { list: [1, 'two', { three: [3n ** 40n, null] }], when: new Date(86_400_000), bytes: Buffer.from('hi') }],
    ['keys that are not identifiers', { '': 1, 'a b': 2, '0': 3, constructor: 4, toString: 5, '🔑': 6 }],
  ];

  test.each(identical)('%s round-trips unchanged', (_name, value) => {
    expect(roundTrip(value)).toStrictEqual(value);
  });

  const changed: [string, unknown, unknown][] = [
    ['a bigint within ±2^53 reads back as a number', 5n, 5],
    ['bigint -(2^53) reads back as a number', -(2n ** 53n), -(2 ** 53)],
    ['bigint 2^53 reads back as a number', 2n ** 53n, 2 ** 53],
    ['-0 is written as the integer 0', -0, 0],
    ['a Uint8Array reads back as a Buffer', new Uint8Array([1, 2, 3]), Buffer.from([1, 2, 3])],
    ['a null-prototype object reads back as a plain object', Object.assign(Object.create(null) as object, { a: 1 }), { a: 1 }],
  ];

  test.each(changed)('%s', (_name, value, expected) => {
    expect(roundTrip(value)).toStrictEqual(expected);
    expect(msgpackRoundTrip(value)).toStrictEqual(expected);
  });

  test('an integer is written by value: number and bigint give the same bytes', () => {
    for (const n of [0, 1, -1, 127, -33, 255, 65536, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 40, -(2 ** 40), 2 ** 53, -(2 ** 53)]) {
      expect(encode(BigInt(n))).toEqual(encode(n));
    }
  });

  test.each([
    ['fixint', 5, 'fx', '05'],
    ['uint32', 2 ** 32 - 1, 'ce', 'ceffffffff'],
    ['int32', -(2 ** 31), 'd2', 'd280000000'],
    ['int64 for a number beyond 32 bits', 2 ** 40, 'd3', 'd30000010000000000'],
    ['int64 for a negative number beyond 32 bits', -(2 ** 40), 'd3', 'd3ffffff0000000000'],
    ['uint64 for a bigint beyond int64', 2n ** 64n - 1n, 'cf', 'cfffffffffffffffff'],
    ['float64 for a fraction', 1.5, 'cb', 'cb3ff8000000000000'],
    ['float64 for an integral number beyond 2^53', 2 ** 53 + 2, 'cb', 'cb4340000000000001'],
    ['fixmap for a small object', { a: 1 }, '81', '81a16101'],
    ['fixarray', [1, 2], '92', '920102'],
    ['bin8 for a Buffer', Buffer.from([9]), 'c4', 'c40109'],
    ['timestamp 32 for a whole second', new Date(1000), 'd6', 'd6ff00000001'],
  ])('wire form: %s', (_name, value, _token, hex) => {
    expect(encode(value).toString('hex')).toBe(hex);
  });
});

describe('msgpackCodec refuses what the format cannot represent', () => {
  class Point {
    constructor(readonly x: number) {}
  }
  const cyclic: Record<string, unknown> = { a: { b: [] as unknown[] } };
  ((cyclic.a as Record<string, unknown>).b as unknown[]).push(cyclic);
  const symbolKeyed = { ok: 1, [Symbol('s')]: 2 };

  test.each<[string, unknown, string]>([
    ['a function deep inside', { items: [0, 1, 2, { callback: () => 1 }] }, 'value.items[3].callback is a function'],
    ['undefined', undefined, 'value is undefined'],
    ['an undefined property', { a: { b: undefined } }, 'value.a.b is undefined'],
    ['a hole', [1, , 3], 'value[1] is a hole'], // eslint-disable-line no-sparse-arrays
    ['a symbol', { s: Symbol('x') }, 'value.s is a symbol'],
    ['a symbol key', symbolKeyed, 'value has a symbol-keyed property'],
    ['a Map', { m: new Map([[1, 2]]) }, 'value.m is a Map'],
    ['a Set', [new Set([1])], 'value[0] is a Set'],
    ['a class instance', { p: new Point(1) }, 'value.p is an instance of Point'],
    ['an Array subclass', new (class Things extends Array {})(), 'value is an instance of Things'],
    ['a Float64Array', new Float64Array(2), 'value is a Float64Array'],
    ['an ArrayBuffer', new ArrayBuffer(2), 'value is an ArrayBuffer'],
    ['a boxed string', new String('x'), 'value is a boxed primitive'], // eslint-disable-line no-new-wrappers
    ['a RegExp', /x/, 'value is an instance of RegExp'],
    ['an Error', new Error('x'), 'value is an instance of Error'],
    ['an invalid Date', { when: new Date(NaN) }, 'value.when is an invalid Date'],
    ['a bigint beyond 2^64-1', 2n ** 64n, 'value is a bigint outside the 64-bit range'],
    ['a bigint below -(2^63)', { n: -(2n ** 63n) - 1n }, 'value.n is a bigint outside the 64-bit range'],
    ['a lone surrogate', ['ok', '\ud83d'], 'value[1] is a string with a lone surrogate'],
    ['a lone surrogate in a long string', { text: 'x'.repeat(100) + '\udc00' }, 'value.text is a string with a lone surrogate'],
    ['a key with a lone surrogate', { ok: { 'a\ud800': 1 } }, 'value.ok has a key with a lone surrogate ("a\\ud800")'],
    ['a key that is not an identifier', { 'a b': [() => 0] }, 'value["a b"][0] is a function'],
    ['a cycle', cyclic, 'value.a.b[0] is a circular reference'],
    ['nesting beyond MAX_DEPTH', nested(MAX_DEPTH + 1), `is nested deeper than ${MAX_DEPTH} levels`],
  ])('%s', (_name, value, message) => {
    let caught: unknown;
    try {
      encode(value);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EncodeError);
    const error = caught as EncodeError;
    expect(error.code).toBe('MCC_ERR_ENCODE');
    expect(error.codec).toBe('msgpack');
    expect(error.message).toContain(message);
    expect(`${error.path} ${error.reason}`).toContain(message);
  });

  test('a getter that throws becomes an EncodeError with the cause', () => {
    const value = {
      get broken(): number {
        throw new Error('boom');
      },
    };
    expect(() => encode(value)).toThrow(EncodeError);
    expect(() => encode(value)).toThrow(/boom/);
  });

  test('shared (non-cyclic) references are fine', () => {
    const shared = { x: 1 };
    expect(roundTrip([shared, shared])).toStrictEqual([{ x: 1 }, { x: 1 }]);
  });

  test('nesting of exactly MAX_DEPTH levels encodes and decodes', () => {
    expect(roundTrip(nested(MAX_DEPTH))).toStrictEqual(nested(MAX_DEPTH));
  });

  test('the value is never modified by encoding, even where leaves are rewritten', () => {
    const value = { big: 2 ** 40, small: 5n, list: [2 ** 33, 'x'] };
    const before = structuredClone(value);
    encode(value);
    expect(value).toStrictEqual(before);
  });
});

describe('msgpackCodec buffers', () => {
  test('a decoded binary owns its bytes: it never aliases the input', () => {
    const input = encode({ bytes: Buffer.from([1, 2, 3]) });
    const decoded = decode(input) as { bytes: Buffer };
    expect(Buffer.isBuffer(decoded.bytes)).toBe(true);
    expect(decoded.bytes.buffer).not.toBe(input.buffer);
    input.fill(0);
    expect(decoded.bytes).toEqual(Buffer.from([1, 2, 3]));
  });

  test("decoding leaves the caller's buffer untouched (no cached properties)", () => {
    const input = encode({ a: [1, 2] });
    const keys = Object.keys(input);
    decode(input);
    expect(Object.keys(input)).toEqual(keys);
  });

  test('decodes a plain Uint8Array input, and binaries are still Buffers', () => {
    const bytes = new Uint8Array(encode([Buffer.from([5])]));
    expect(decode(bytes as Buffer)).toStrictEqual([Buffer.from([5])]);
  });

  test('earlier encodings stay intact after later ones (msgpackr reuses a slab)', () => {
    const first = encode({ first: 'x'.repeat(100) });
    const copy = Buffer.from(first);
    for (let index = 0; index < 500; index++) encode({ other: index, filler: 'y'.repeat(50) });
    expect(first).toEqual(copy);
  });
});

describe('msgpackCodec __proto__ safety', () => {
  test('a __proto__ key decodes to an own property and never sets the prototype', () => {
    const bytes = encode(JSON.parse('{"__proto__": {"polluted": true}, "a": 1}'));
    const decoded = decode(bytes) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(decoded.polluted).toBeUndefined();
    expect(Object.keys(decoded)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toEqual({ polluted: true });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('nested __proto__ keys, in maps inside arrays, are own properties too', () => {
    const value = JSON.parse('[{"x": {"__proto__": {"polluted": 1}}}, {"__proto__": null}]') as unknown;
    const decoded = roundTrip(value) as [{ x: Record<string, unknown> }, Record<string, unknown>];
    expect(Object.getPrototypeOf(decoded[0].x)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(decoded[0].x, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(decoded[1])).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded[1], '__proto__')?.value).toBeNull();
    expect(decoded).toStrictEqual(msgpackRoundTrip(value));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a __proto__ key is kept as is (msgpackr alone would rename it to __proto_)', () => {
    const decoded = roundTrip(JSON.parse('{"__proto__": 1, "__proto_": 2}')) as Record<string, unknown>;
    expect(Object.keys(decoded)).toEqual(['__proto__', '__proto_']);
  });
});

describe('msgpackCodec decode errors', () => {
  test('a DecodeError names the codec and the byte offset', () => {
    let caught: unknown;
    try {
      decode(Buffer.from([0x92, 0x01, 0xcd, 0x01]));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DecodeError);
    expect((caught as DecodeError).code).toBe('MCC_ERR_DECODE');
    expect((caught as DecodeError).codec).toBe('msgpack');
    expect((caught as DecodeError).offset).toBe(2);
    expect((caught as DecodeError).message).toMatch(/codec msgpack cannot decode a value: truncated/);
  });
});

/**
 * encode() writes ordinary values with its own fast writer (msgpack-writer.ts)
 * and leaves the rest to the reference path (safety walk, then msgpackr):
 * both must give the same bytes for every value.
 */
describe('msgpackCodec fast writer agrees with the reference path', () => {
  const same = (value: unknown): void => {
    expect(Buffer.from(encode(value)).toString('hex')).toBe(Buffer.from(encodeByReference(value)).toString('hex'));
  };

  test('strings of every header size and character width', () => {
    const characters = ['a', 'é', '日', '🎉', '\u0000', '\u007f', '\u0080', '\u07ff', '\u0800', '\uffff'];
    for (const length of [0, 1, 31, 32, 33, 63, 64, 65, 85, 86, 127, 128, 255, 256, 257, 21845, 21846, 65535, 65536, 70000]) {
      for (const character of characters) {
        const repeated = character.repeat(Math.ceil(length / character.length)).slice(0, length).replace(/[\ud800-\udbff]$/, '');
        const mixed = 'x'.repeat(Math.max(0, length - character.length)) + character;
        for (const text of [repeated, mixed]) {
          same(text);
          same({ [text]: [text] });
        }
      }
    }
  });

  test('integers, floats and bigints around every boundary', () => {
    const numbers = [
      0, -0, 1, -1, 31, 32, 127, 128, -32, -33, -128, -129, 255, 256, 65535, 65536, -32768, -32769, 2 ** 31 - 1, 2 ** 31, -(2 ** 31),
      -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32, -(2 ** 32), 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), -(2 ** 53) - 2, 1.5, -0.1, NaN,
      Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, 1e20, -1e20, 2 ** 63, 2 ** 64,
    ];
    for (const n of numbers) {
      same(n);
      if (Number.isInteger(n) && Math.abs(n) <= 2 ** 64) same(BigInt.asIntN(64, BigInt(n)));
    }
    for (const n of [2n ** 63n - 1n, -(2n ** 63n), 2n ** 63n, 2n ** 64n - 1n, 2n ** 40n, -(2n ** 40n)]) same(n);
  });

  test('dates in every timestamp form', () => {
    const times = [0, 1, -1, 999, 1000, 1001, -999, -1000, -1001, 1500, -1500, 2 ** 32 * 1000 - 1, 2 ** 32 * 1000, 2 ** 32 * 1000 + 1, 2 ** 34 * 1000, 8.64e15, -8.64e15];
    for (const time of times) same(new Date(time));
  });

  test('binaries and containers at every header size', () => {
    for (const length of [0, 1, 16, 17, 255, 256, 65535, 65536]) {
      same(Buffer.alloc(length, 7));
      same(new Uint8Array(length));
      same(Buffer.from(Buffer.alloc(length + 10, 3).buffer, 5, length)); // a view with an offset
    }
    for (const length of [0, 15, 16, 65535, 65536]) {
      same(Array.from({ length }, (_, index) => index % 3));
      same(Object.fromEntries(Array.from({ length }, (_, index) => [`k${index}`, index])));
    }
  });

  test('random values (seeded)', () => {
    const random = new RandomValues(SEED + 3, { large: true });
    for (let sample = 0; sample < 1000; sample++) same(random.value());
  });

  test('the writer itself handles ordinary values, and gives up on the rest', () => {
    const random = new RandomValues(SEED + 4);
    for (let sample = 0; sample < 300; sample++) expect(writeMsgpack(random.value())).not.toBeNull();
    const cyclic: unknown[] = [];
    cyclic.push({ back: cyclic });
    for (const value of [undefined, [1, undefined], { f: () => 0 }, new Map(), 2n ** 64n, '\ud800', { 'k\udfff': 1 }, new Date(NaN), cyclic, { [Symbol('s')]: 1 }]) {
      expect(writeMsgpack(value)).toBeNull();
    }
  });

  test('values left to the reference path: another realm, a proxy, a null-prototype object', () => {
    same(runInNewContext('({ list: [1, 2 ** 40, new Uint8Array([1, 2])], when: new Date(5), nested: { a: null } })'));
    same(new Proxy({ a: 1, list: new Proxy([1, 'two'], {}) }, {}));
    same(Object.assign(Object.create(null) as object, { big: 2 ** 40, small: 5n }));
  });

  test('an encode from inside a getter (re-entrant) gives the same bytes', () => {
    const value = {
      get inner(): Buffer {
        return encode({ nested: 'y'.repeat(100) });
      },
      after: [1, 2, 3],
    };
    same(value);
    expect(decode(encode(value))).toStrictEqual({ inner: encode({ nested: 'y'.repeat(100) }), after: [1, 2, 3] });
  });

  test('earlier encodings stay intact while later ones outgrow the slab', () => {
    const kept: [Buffer, Buffer][] = [];
    for (let index = 0; index < 300; index++) {
      const size = index % 50 === 0 ? 200_000 : (index * 37) % 3000;
      const bytes = encode(index % 2 === 0 ? { text: 'x'.repeat(size), index } : [Buffer.alloc(size, index), index]);
      kept.push([bytes, Buffer.from(bytes)]);
    }
    for (const [bytes, copy] of kept) expect(bytes.equals(copy)).toBe(true);
  });
});
