/** Key and argument checks, done before anything is queued or sent. */
import { InvalidArgumentError, InvalidKeyError } from './errors';
import { MAX_KEY_LENGTH } from './wire/constants';

// Whitespace and control characters: legal in the binary protocol, but the
// text protocol (and so most other clients, and memcached's own tools) cannot
// express them, which would strand the item for every other language.
const FORBIDDEN_KEY_CHARACTERS = /[\u0000-\u0020\u007f]/;
// A lone UTF-16 surrogate has no UTF-8 form: Buffer.from turns every one into
// U+FFFD, so two different keys would name the same item.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Returns the key's UTF-8 length, or throws InvalidKeyError. */
export function validateKey(key: unknown): number {
  if (typeof key !== 'string') throw new InvalidKeyError(String(key), `a key must be a string, got ${typeof key}`);
  if (key.length === 0) throw new InvalidKeyError(key, 'a key must not be empty');
  const length = Buffer.byteLength(key, 'utf8');
  if (length > MAX_KEY_LENGTH) throw new InvalidKeyError(key, `${length} bytes is longer than memcached's ${MAX_KEY_LENGTH}-byte limit`);
  if (FORBIDDEN_KEY_CHARACTERS.test(key)) throw new InvalidKeyError(key, 'keys must not contain spaces or control characters');
  if (LONE_SURROGATE.test(key)) throw new InvalidKeyError(key, 'keys must be well-formed UTF-16: a lone surrogate has no UTF-8 form and would collide with other keys');
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

/**
 * The CAS condition of a write: 0n (none) when absent. A `cas` that is
 * present is a condition, so 0n is refused: memcached reads CAS 0 as "no
 * condition", and a server with CAS disabled (-C) returns CAS 0 on every get,
 * so a read-modify-write loop passing `{ cas: item.cas }` would overwrite.
 */
export function validateCas(cas: bigint | undefined): bigint {
  if (cas === undefined) return 0n;
  if (typeof cas !== 'bigint' || cas < 0n || cas >= 1n << 64n) {
    throw new InvalidArgumentError(`cas must be a bigint from 1 to 2^64-1, got ${String(cas)}`);
  }
  if (cas === 0n) {
    throw new InvalidArgumentError('cas 0n is no condition (memcached would write unconditionally; a -C server returns CAS 0 on every get): omit `cas` for an unconditional write');
  }
  return cas;
}

/** A TTL that must be given (touch): omitting it would make the item immortal. */
export function validateRequiredTtl(ttl: number | undefined): number {
  if (ttl === undefined) throw new InvalidArgumentError('touch needs a ttl in seconds (0 = never expire, to make it explicit)');
  return validateTtl(ttl);
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
