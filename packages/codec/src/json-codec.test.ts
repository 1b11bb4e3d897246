import { jsonCodec } from './json-codec';
import { DecodeError, EncodeError } from './errors';

describe('jsonCodec', () => {
  test('id 2, name json, UTF-8 JSON text', () => {
    expect(jsonCodec.id).toBe(2);
    expect(jsonCodec.name).toBe('json');
    expect(jsonCodec.encode({ a: [1, 'é', null, true] }).toString('utf8')).toBe('{"a":[1,"é",null,true]}');
  });

  test.each<[string, unknown]>([
    ['null', null],
    ['numbers', [0, -1, 1.5, 2 ** 53, -1e300]],
    ['strings', ['', 'héllo 🎉', '\u0000"\\']],
    ['nested', { a: { b: [{ c: false }] } }],
  ])('%s round-trip', (_name, value) => {
    expect(jsonCodec.decode(jsonCodec.encode(value))).toStrictEqual(value);
  });

  test.each<[string, unknown, string]>([
    ['NaN', { n: NaN }, 'value.n is NaN'],
    ['Infinity', [Infinity], 'value[0] is Infinity'],
    ['a bigint', { n: 1n }, 'value.n is a bigint'],
    ['a Date', { when: new Date(0) }, 'value.when is a Date'],
    ['a Buffer', { bytes: Buffer.from([1]) }, 'value.bytes is binary data'],
    ['undefined', { u: undefined }, 'value.u is undefined'],
    ['a function', [() => 0], 'value[0] is a function'],
    ['a Map', new Map(), 'value is a Map'],
    ['a key with a lone surrogate', { 'a\udc00': 1 }, 'value has a key with a lone surrogate'],
  ])('refuses %s (JSON.stringify would change it silently)', (_name, value, message) => {
    expect(() => jsonCodec.encode(value)).toThrow(EncodeError);
    expect(() => jsonCodec.encode(value)).toThrow(message);
  });

  test('a __proto__ key decodes to an own property', () => {
    const decoded = jsonCodec.decode(Buffer.from('{"__proto__": {"polluted": 1}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(decoded.polluted).toBeUndefined();
    expect(Object.keys(decoded)).toEqual(['__proto__']);
  });

  test.each<[string, Buffer, RegExp]>([
    ['invalid JSON', Buffer.from('{"a":'), /invalid JSON/],
    ['invalid UTF-8', Buffer.from([0x22, 0xff, 0x22]), /not valid UTF-8/],
    ['empty input', Buffer.alloc(0), /invalid JSON/],
  ])('%s is a DecodeError', (_name, bytes, reason) => {
    expect(() => jsonCodec.decode(bytes)).toThrow(DecodeError);
    expect(() => jsonCodec.decode(bytes)).toThrow(reason);
  });
});
