/**
 * Encodes requests into outgoing chunks, for one connection.
 *
 * Headers, extras, keys and small values are written one after another into
 * a slab; a large value is not copied at all but becomes a chunk of its own
 * (the caller's exact Buffer), so the socket writes it with `writev`. After
 * {@link FrameWriter.take} hands the chunks out, their bytes are never
 * written again: the next request continues after them, or in a new slab.
 */
import { HEADER_LENGTH, REQUEST_MAGIC } from './constants';

/** Extras of a request, by the shape its opcode needs. */
export type RequestExtras =
  | { readonly kind: 'store'; readonly flags: number; readonly ttl: number } // set/add/replace: 8 bytes
  | { readonly kind: 'counter'; readonly delta: bigint; readonly initial: bigint; readonly ttl: number } // incr/decr: 20 bytes
  | { readonly kind: 'ttl'; readonly ttl: number }; // touch, get-and-touch, flush: 4 bytes

/** One request, as the writer needs it. `key` is already validated. */
export interface RequestFrame {
  readonly opcode: number;
  readonly opaque: number;
  readonly cas: bigint;
  readonly key: string | null;
  readonly keyLength: number; // UTF-8 byte length of key
  readonly extras: RequestExtras | null;
  readonly value: Buffer | null;
}

const SLAB_SIZE = 64 * 1024;
/** Values up to this size are copied next to their header: one chunk beats two for small writes. */
const COPY_VALUE_LIMIT = 2048;

function extrasLength(extras: RequestExtras | null): number {
  if (extras === null) return 0;
  return extras.kind === 'store' ? 8 : extras.kind === 'counter' ? 20 : 4;
}

export class FrameWriter {
  #slab: Buffer = Buffer.allocUnsafe(SLAB_SIZE);
  /** Start of the bytes in the slab not yet handed out. */
  #start = 0;
  #position = 0;
  #chunks: Buffer[] = [];
  #pendingBytes = 0;

  /** Bytes encoded and not yet taken. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  write(request: RequestFrame): void {
    const extraLength = extrasLength(request.extras);
    const valueLength = request.value === null ? 0 : request.value.length;
    const copyValue = valueLength <= COPY_VALUE_LIMIT;
    const inline = HEADER_LENGTH + extraLength + request.keyLength + (copyValue ? valueLength : 0);
    this.#ensure(inline);

    const slab = this.#slab;
    let at = this.#position;
    slab[at] = REQUEST_MAGIC;
    slab[at + 1] = request.opcode;
    slab.writeUInt16BE(request.keyLength, at + 2);
    slab[at + 4] = extraLength;
    slab[at + 5] = 0; // data type: raw bytes
    slab.writeUInt16BE(0, at + 6); // vbucket
    slab.writeUInt32BE(extraLength + request.keyLength + valueLength, at + 8);
    slab.writeUInt32BE(request.opaque, at + 12);
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
    this.#position = at;
    this.#pendingBytes += inline;

    if (request.value !== null && !copyValue) {
      this.#seal();
      this.#chunks.push(request.value);
      this.#pendingBytes += valueLength;
    }
  }

  /** Hands out everything written since the last call, in order. */
  take(): Buffer[] {
    this.#seal();
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#pendingBytes = 0;
    return chunks;
  }

  /** Ends the current run of slab bytes as a chunk. */
  #seal(): void {
    if (this.#position > this.#start) {
      this.#chunks.push(this.#slab.subarray(this.#start, this.#position));
      this.#start = this.#position;
    }
  }

  #ensure(length: number): void {
    if (this.#slab.length - this.#position >= length) return;
    this.#seal();
    this.#slab = Buffer.allocUnsafe(Math.max(SLAB_SIZE, length));
    this.#start = 0;
    this.#position = 0;
  }
}
