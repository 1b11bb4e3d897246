import { InvalidArgumentError, InvalidKeyError } from './errors';
import { toBuffer, validateCas, validateCounterOperand, validateFlags, validateKey, validateTtl } from './keys';

describe('validateKey', () => {
  it('returns the UTF-8 length of a valid key', () => {
    expect(validateKey('a')).toBe(1);
    expect(validateKey('é')).toBe(2);
    expect(validateKey('x'.repeat(250))).toBe(250);
    expect(validateKey('{tag}:rest')).toBe(10);
  });

  it.each([
    ['an empty key', '', /must not be empty/],
    ['a 251-byte key', 'x'.repeat(251), /251 bytes/],
    ['125 two-byte characters plus one', 'é'.repeat(125) + 'x', /251 bytes/],
    ['a space', 'a b', /spaces or control/],
    ['a newline', 'a\nb', /spaces or control/],
    ['a NUL', 'a\u0000', /spaces or control/],
    ['DEL', 'a\u007f', /spaces or control/],
  ])('refuses %s', (_name, key, message) => {
    expect(() => validateKey(key)).toThrow(InvalidKeyError);
    expect(() => validateKey(key)).toThrow(message);
  });

  it('refuses lone surrogates (they collide: Buffer.from turns each into U+FFFD) but accepts pairs', () => {
    expect(Buffer.from('a\uD800').equals(Buffer.from('a\uDBFF'))).toBe(true); // the collision
    expect(() => validateKey('a\uD800')).toThrow(InvalidKeyError);
    expect(() => validateKey('a\uDBFF')).toThrow(/lone surrogate/);
    expect(() => validateKey('\uDFFFa')).toThrow(InvalidKeyError);
    expect(validateKey('emoji\uD83D\uDE00')).toBe(9);
  });

  it('refuses a key that is not a string', () => {
    expect(() => validateKey(42)).toThrow(/must be a string/);
  });

  it('names the key on the error', () => {
    try {
      validateKey('bad key');
      throw new Error('not thrown');
    } catch (error) {
      expect((error as InvalidKeyError).key).toBe('bad key');
      expect((error as InvalidKeyError).code).toBe('MCC_ERR_INVALID_KEY');
    }
  });
});

describe('argument checks', () => {
  it('accepts ttl, flags and cas in range', () => {
    expect(validateTtl(undefined)).toBe(0);
    expect(validateTtl(0xffffffff)).toBe(0xffffffff);
    expect(validateFlags(0xffffffff)).toBe(0xffffffff);
    expect(validateCas(2n ** 64n - 1n)).toBe(2n ** 64n - 1n);
    expect(validateCounterOperand('delta', 3, 1n)).toBe(3n);
    expect(validateCounterOperand('delta', undefined, 1n)).toBe(1n);
  });

  it.each([
    () => validateTtl(-1),
    () => validateTtl(1.5),
    () => validateTtl(2 ** 32),
    () => validateFlags(-1),
    () => validateFlags(2 ** 32),
    () => validateCas(-1n),
    () => validateCas(2n ** 64n),
    () => validateCas(5 as unknown as bigint),
    () => validateCounterOperand('delta', -1, 1n),
    () => validateCounterOperand('delta', 0.5, 1n),
    () => validateCounterOperand('delta', 2n ** 64n, 1n),
    () => toBuffer(null),
    () => toBuffer(12),
  ])('refuses out-of-range input %#', (check) => {
    expect(check).toThrow(InvalidArgumentError);
  });

  it('views a Uint8Array without copying', () => {
    const array = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    const buffer = toBuffer(array);
    expect([...buffer]).toEqual([2, 3]);
    buffer[0] = 9;
    expect(array[0]).toBe(9);
  });
});
