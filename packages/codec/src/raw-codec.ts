/**
 * The raw codec (id 0): bytes as they are. Encodes a Buffer (as is, no
 * copy), any Uint8Array (viewed, no copy) or a string (UTF-8); decodes to a
 * Buffer holding a copy of the bytes, never a view of the network buffer.
 *
 * It is also the only codec that reads untagged items (flags 0) written by
 * other memcache clients.
 */
import { types } from 'node:util';
import type { Codec } from './codec';
import { CodecId } from './codec';
import { DecodeError, EncodeError } from './errors';

const NAME = 'raw';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return `a ${typeof value}`;
  return `an instance of ${(value as { constructor?: { name?: string } }).constructor?.name ?? 'Object'}`;
}

export const rawCodec: Codec = Object.freeze({
  id: CodecId.Raw,
  name: NAME,
  encode(value: unknown): Buffer {
    if (Buffer.isBuffer(value)) return value;
    if (types.isUint8Array(value)) {
      const bytes = value as Uint8Array;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    if (typeof value === 'string') return Buffer.from(value, 'utf8');
    throw new EncodeError(NAME, 'value', `is ${describe(value)}; the raw codec stores a Buffer, Uint8Array or string`);
  },
  decode(bytes: Buffer): Buffer {
    if (!(bytes instanceof Uint8Array)) throw new DecodeError(NAME, `expected a Buffer, got ${typeof bytes}`);
    return Buffer.from(bytes); // a copy: never alias the caller's (network) buffer
  },
});
