import { rawCodec } from './raw-codec';
import { DecodeError, EncodeError } from './errors';

describe('rawCodec', () => {
  test('id 0, name raw', () => {
    expect(rawCodec.id).toBe(0);
    expect(rawCodec.name).toBe('raw');
  });

  test('a Buffer is stored as is (no copy)', () => {
    const value = Buffer.from([1, 2, 3]);
    expect(rawCodec.encode(value)).toBe(value);
  });

  test('a Uint8Array is viewed as a Buffer (no copy)', () => {
    const value = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    const encoded = rawCodec.encode(value);
    expect(Buffer.isBuffer(encoded)).toBe(true);
    expect(encoded.buffer).toBe(value.buffer);
    expect([...encoded]).toEqual([2, 3]);
  });

  test('a string is stored as UTF-8', () => {
    expect(rawCodec.encode('héllo')).toEqual(Buffer.from('héllo', 'utf8'));
  });

  test.each<[string, unknown]>([
    ['a number', 1],
    ['null', null],
    ['undefined', undefined],
    ['an object', { a: 1 }],
    ['an array', [1]],
  ])('refuses %s', (_name, value) => {
    expect(() => rawCodec.encode(value)).toThrow(EncodeError);
    expect(() => rawCodec.encode(value)).toThrow(/the raw codec stores a Buffer, Uint8Array or string/);
  });

  test('decodes to a Buffer that owns a copy of the bytes', () => {
    const input = Buffer.from([7, 8, 9]);
    const decoded = rawCodec.decode(input) as Buffer;
    expect(Buffer.isBuffer(decoded)).toBe(true);
    expect(decoded).toEqual(input);
    input[0] = 0;
    expect(decoded[0]).toBe(7);
  });

  test('decoding a non-buffer is a DecodeError', () => {
    expect(() => rawCodec.decode('nope' as unknown as Buffer)).toThrow(DecodeError);
  });
});
