/** Key and argument checks, done before anything is queued or sent. */
import { InvalidArgumentError, InvalidKeyError } from './errors';
import { MAX_KEY_LENGTH } from './wire/constants';

// Whitespace and control characters: legal in the binary protocol, but the
// text protocol (and so most other clients, and memcached's own tools) cannot
// express them, which would strand the item for every other language.
const FORBIDDEN_KEY_CHARACTERS = /[\u0000-\u0020\u007f]/;

/** Returns the key's UTF-8 length, or throws InvalidKeyError. */
export function validateKey(key: unknown): number {
  if (typeof key !== 'string') throw new InvalidKeyError(String(key), `a key must be a string, got ${typeof key}`);
  if (key.length === 0) throw new InvalidKeyError(key, 'a key must not be empty');
  const length = Buffer.byteLength(key, 'utf8');
  if (length > MAX_KEY_LENGTH) throw new InvalidKeyError(key, `${length} bytes is longer than memcached's ${MAX_KEY_LENGTH}-byte limit`);
  if (FORBIDDEN_KEY_CHARACTERS.test(key)) throw new InvalidKeyError(key, 'keys must not contain spaces or control characters');
  return length;
}

/** Seconds until expiry; 0 = never. Over 30 days memcached reads it as a Unix time. */
export function validateTtl(ttl: number | undefined): number {
  if (ttl === undefined) return 0;
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 0xffffffff) {
    throw new InvalidArgumentError(`ttl must be a whole number of seconds from 0 to 2^32-1, got ${ttl}`);
  }
  return ttl;
}

export function validateFlags(flags: number | undefined): number {
  if (flags === undefined) return 0;
  if (!Number.isInteger(flags) || flags < 0 || flags > 0xffffffff) {
    throw new InvalidArgumentError(`flags must be a 32-bit unsigned integer, got ${flags}`);
  }
  return flags;
}

export function validateCas(cas: bigint | undefined): bigint {
  if (cas === undefined) return 0n;
  if (typeof cas !== 'bigint' || cas < 0n || cas >= 1n << 64n) {
    throw new InvalidArgumentError(`cas must be a bigint from 0 to 2^64-1, got ${String(cas)}`);
  }
  return cas;
}

export function validateCounterOperand(name: string, value: number | bigint | undefined, fallback: bigint): bigint {
  if (value === undefined) return fallback;
  const big = typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value) : -1n;
  if (big < 0n || big >= 1n << 64n) throw new InvalidArgumentError(`${name} must be an integer from 0 to 2^64-1, got ${String(value)}`);
  return big;
}

/** Accepts a Buffer, any Uint8Array (viewed, not copied) or a string (UTF-8). */
export function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  throw new InvalidArgumentError(`a value must be a Buffer, Uint8Array or string, got ${value === null ? 'null' : typeof value}`);
}
