/**
 * Builders of response frames, for parser and connection tests (and for the
 * layers above that need to fake a server reply byte by byte).
 */
import { HEADER_LENGTH, RESPONSE_MAGIC } from '../wire/constants';

export interface ResponseFields {
  opcode: number;
  status?: number;
  opaque?: number;
  cas?: bigint;
  extras?: Buffer;
  key?: string | Buffer;
  value?: string | Buffer;
}

/** Encodes one response frame exactly as memcached would. */
export function responseFrame(fields: ResponseFields): Buffer {
  const extras = fields.extras ?? Buffer.alloc(0);
  const key = typeof fields.key === 'string' ? Buffer.from(fields.key) : (fields.key ?? Buffer.alloc(0));
  const value = typeof fields.value === 'string' ? Buffer.from(fields.value) : (fields.value ?? Buffer.alloc(0));
  const frame = Buffer.alloc(HEADER_LENGTH + extras.length + key.length + value.length);
  frame[0] = RESPONSE_MAGIC;
  frame[1] = fields.opcode;
  frame.writeUInt16BE(key.length, 2);
  frame[4] = extras.length;
  frame.writeUInt16BE(fields.status ?? 0, 6);
  frame.writeUInt32BE(extras.length + key.length + value.length, 8);
  frame.writeUInt32BE(fields.opaque ?? 0, 12);
  frame.writeBigUInt64BE(fields.cas ?? 0n, 16);
  extras.copy(frame, HEADER_LENGTH);
  key.copy(frame, HEADER_LENGTH + extras.length);
  value.copy(frame, HEADER_LENGTH + extras.length + key.length);
  return frame;
}

/** The 4-byte flags extras of a get reply. */
export function flagsExtras(flags: number): Buffer {
  const extras = Buffer.alloc(4);
  extras.writeUInt32BE(flags, 0);
  return extras;
}
