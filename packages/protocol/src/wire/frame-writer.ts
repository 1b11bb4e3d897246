/**
 * Encodes binary-protocol requests into outgoing chunks, for one connection
 * (the slab and chunk handling is {@link ChunkWriter}'s).
 */
import { ChunkWriter, COPY_VALUE_LIMIT } from './chunk-writer';
import { HEADER_LENGTH, REQUEST_MAGIC } from './constants';

/** Extras of a request, by the shape its opcode needs. */
export type RequestExtras =
  | { readonly kind: 'store'; readonly flags: number; readonly ttl: number } // set/add/replace: 8 bytes
  | { readonly kind: 'counter'; readonly delta: bigint; readonly initial: bigint; readonly ttl: number } // incr/decr: 20 bytes
  | { readonly kind: 'ttl'; readonly ttl: number }; // touch, get-and-touch, flush: 4 bytes

/** One request, as the writer needs it. `key` is already validated. */
export interface RequestFrame {
  readonly opcode: number;
  readonly cas: bigint;
  readonly key: string | null;
  readonly keyLength: number; // UTF-8 byte length of key
  readonly extras: RequestExtras | null;
  readonly value: Buffer | null;
}

function extrasLength(extras: RequestExtras | null): number {
  if (extras === null) return 0;
  return extras.kind === 'store' ? 8 : extras.kind === 'counter' ? 20 : 4;
}

export class FrameWriter extends ChunkWriter {
  write(request: RequestFrame, opaque: number): void {
    const extraLength = extrasLength(request.extras);
    const valueLength = request.value === null ? 0 : request.value.length;
    const copyValue = valueLength <= COPY_VALUE_LIMIT;
    const inline = HEADER_LENGTH + extraLength + request.keyLength + (copyValue ? valueLength : 0);
    this.ensure(inline);

    const slab = this.slab;
    let at = this.position;
    slab[at] = REQUEST_MAGIC;
    slab[at + 1] = request.opcode;
    slab.writeUInt16BE(request.keyLength, at + 2);
    slab[at + 4] = extraLength;
    slab[at + 5] = 0; // data type: raw bytes
    slab.writeUInt16BE(0, at + 6); // vbucket
    slab.writeUInt32BE(extraLength + request.keyLength + valueLength, at + 8);
    slab.writeUInt32BE(opaque, at + 12);
    slab.writeBigUInt64BE(request.cas, at + 16);
    at += HEADER_LENGTH;

    const extras = request.extras;
    if (extras !== null) {
      if (extras.kind === 'store') {
        slab.writeUInt32BE(extras.flags, at);
        slab.writeUInt32BE(extras.ttl, at + 4);
      } else if (extras.kind === 'counter') {
        slab.writeBigUInt64BE(extras.delta, at);
        slab.writeBigUInt64BE(extras.initial, at + 8);
        slab.writeUInt32BE(extras.ttl, at + 16);
      } else {
        slab.writeUInt32BE(extras.ttl, at);
      }
      at += extraLength;
    }
    if (request.key !== null) at += slab.write(request.key, at, 'utf8');
    if (request.value !== null && copyValue) at += request.value.copy(slab, at);
    this.wrote(at);
    if (request.value !== null && !copyValue) this.appendChunk(request.value);
  }
}
