/**
 * The JSON codec (id 2): UTF-8 JSON text, for readers that have a JSON
 * parser but no MessagePack library. It stores only what JSON represents
 * exactly: null, booleans, finite numbers, strings, arrays and plain
 * objects. It refuses (EncodeError) what JSON.stringify would silently
 * change: NaN/Infinity, bigint, Date, binaries, and everything the msgpack
 * codec refuses. JSON.parse defines a `__proto__` key as an own property, so
 * decoding is safe from prototype pollution.
 */
import { isUtf8 } from 'node:buffer';
import type { Codec } from './codec';
import { CodecId } from './codec';
import { DecodeError } from './errors';
import { prepareValue, Refusal, type LeafRules } from './prepare-value';

const NAME = 'json';

const rules: LeafRules = {
  codec: NAME,
  number(value) {
    if (!Number.isFinite(value)) throw new Refusal(`is ${value}, which JSON cannot represent`);
    return value;
  },
  bigint() {
    throw new Refusal('is a bigint, which the json codec does not store (use the msgpack codec)');
  },
  date() {
    throw new Refusal('is a Date, which JSON has no type for (store date.toISOString(), or use the msgpack codec)');
  },
  binary() {
    throw new Refusal('is binary data, which JSON has no type for (use the msgpack codec)');
  },
};

export const jsonCodec: Codec = Object.freeze({
  id: CodecId.Json,
  name: NAME,
  encode(value: unknown): Buffer {
    return Buffer.from(JSON.stringify(prepareValue(value, rules)), 'utf8');
  },
  decode(bytes: Buffer): unknown {
    if (!(bytes instanceof Uint8Array)) throw new DecodeError(NAME, `expected a Buffer, got ${typeof bytes}`);
    if (!isUtf8(bytes)) throw new DecodeError(NAME, 'the value is not valid UTF-8');
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new DecodeError(NAME, `invalid JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  },
});
