/**
 * Incremental parser of binary-protocol responses.
 *
 * Frames that arrive whole inside one socket chunk are handed out as views
 * of that chunk: no copy, no concatenation. Only a frame that straddles
 * chunks is assembled (a 24-byte scratch buffer holds a split header). No
 * buffer that was handed out is ever written again, so views stay valid (see
 * {@link ResponseFrame}).
 *
 * Lengths are never trusted: a body longer than the caller's bound (the
 * server's item limit plus the reply overhead, known from the handshake) is
 * a {@link ProtocolError}, as is a bad magic byte — the stream can no longer
 * be trusted and the caller closes the connection. Memory for a split frame
 * is allocated as its bytes arrive ({@link PartialBody}), so a header that
 * announces a huge body reserves nothing it did not receive.
 */
import { ProtocolError } from '../errors';
import { HEADER_LENGTH, RESPONSE_MAGIC } from './constants';
import { PartialBody } from './partial-body';
import { replyBytes } from './reply-bytes';
import { ResponseFrame } from './response-frame';

export class FrameParser {
  /** A header split across chunks collects here. */
  readonly #header = Buffer.alloc(HEADER_LENGTH);
  #headerFilled = 0;
  /** The frame being assembled across chunks. */
  #partial: PartialBody | null = null;

  /** @param maxBodyLength the longest body accepted now (it grows once the server's item limit is known) */
  constructor(
    private readonly onFrame: (frame: ResponseFrame) => void,
    private readonly maxBodyLength: () => number,
  ) {}

  /** True while part of a frame is buffered (the stream is mid-frame). */
  get midFrame(): boolean {
    return this.#headerFilled > 0 || this.#partial !== null;
  }

  /**
   * Feeds one chunk; calls `onFrame` for each complete frame, in order. Throws ProtocolError on garbage.
   * `detach`: the chunk is part of a large read buffer, so small frames are copied out (see replyBytes).
   */
  feed(chunk: Buffer, detach = false): void {
    let offset = 0;
    if (this.#headerFilled > 0 || this.#partial !== null) {
      offset = this.#continuePartial(chunk);
      if (offset < 0) return; // the whole chunk went into the partial frame
    }
    const end = chunk.length;
    while (end - offset >= HEADER_LENGTH) {
      const frameLength = HEADER_LENGTH + checkHeader(chunk, offset, this.maxBodyLength());
      if (end - offset < frameLength) {
        this.#startPartial(chunk, offset, frameLength);
        return;
      }
      this.onFrame(detach ? new ResponseFrame(replyBytes(chunk, offset, offset + frameLength, true), 0) : new ResponseFrame(chunk, offset));
      offset += frameLength;
    }
    if (offset < end) {
      chunk.copy(this.#header, 0, offset, end);
      this.#headerFilled = end - offset;
    }
  }

  /**
   * The unfilled rest of the frame being assembled, once its header is
   * known, so the socket can read straight into it (no copy); null when no
   * frame is partly received. Reading into it never takes bytes of the next
   * frame: it is exactly as long as what is missing.
   */
  partialTarget(): Buffer | null {
    return this.#partial === null ? null : this.#partial.target();
  }

  /** `count` bytes were read straight into {@link partialTarget}. */
  partialReceived(count: number): void {
    const partial = this.#partial;
    if (partial === null) throw new ProtocolError('bytes were read into a frame that was not being assembled');
    partial.received(count);
    if (!partial.complete) return;
    this.#partial = null;
    this.onFrame(new ResponseFrame(partial.bytes(), 0));
  }

  /** Forgets any partial frame (after the connection closed). */
  reset(): void {
    this.#headerFilled = 0;
    this.#partial = null;
  }

  /** Returns the offset in `chunk` after the completed partial frame, or -1 if `chunk` was used up. */
  #continuePartial(chunk: Buffer): number {
    let offset = 0;
    if (this.#partial === null) {
      const needed = HEADER_LENGTH - this.#headerFilled;
      const taken = Math.min(needed, chunk.length);
      chunk.copy(this.#header, this.#headerFilled, 0, taken);
      this.#headerFilled += taken;
      offset = taken;
      if (this.#headerFilled < HEADER_LENGTH) return -1;
      const frameLength = HEADER_LENGTH + checkHeader(this.#header, 0, this.maxBodyLength());
      this.#headerFilled = 0;
      this.#partial = new PartialBody(frameLength, this.#header, 0, HEADER_LENGTH);
    }
    const partial = this.#partial;
    offset += partial.append(chunk, offset);
    if (!partial.complete) return -1;
    this.#partial = null;
    this.onFrame(new ResponseFrame(partial.bytes(), 0));
    return offset;
  }

  #startPartial(chunk: Buffer, offset: number, frameLength: number): void {
    this.#partial = new PartialBody(frameLength, chunk, offset, chunk.length);
  }
}

/** Validates the header at `offset` and returns its body length. */
function checkHeader(buffer: Buffer, offset: number, maxBodyLength: number): number {
  const magic = buffer[offset]!;
  if (magic !== RESPONSE_MAGIC) {
    // "CLIENT_ERROR …", "ERROR", "SERVER_ERROR …": a server that answers binary requests in text (memcached -Y, a proxy).
    const text = magic >= 0x41 && magic <= 0x5a ? ` — the server answered in the text protocol (${JSON.stringify(buffer.toString('latin1', offset, Math.min(buffer.length, offset + 40)).split('\r')[0])}): it does not accept binary requests (memcached -Y, or a proxy); use protocol 'meta'` : '';
    throw new ProtocolError(`bad magic byte 0x${magic.toString(16)} in a response header (expected 0x81)${text}`);
  }
  const keyLength = buffer.readUInt16BE(offset + 2);
  const extrasLength = buffer[offset + 4]!;
  const bodyLength = buffer.readUInt32BE(offset + 8);
  if (keyLength + extrasLength > bodyLength) {
    throw new ProtocolError(`response body length ${bodyLength} is shorter than its key (${keyLength}) and extras (${extrasLength})`);
  }
  if (bodyLength > maxBodyLength) {
    throw new ProtocolError(`response body length ${bodyLength} exceeds the ${maxBodyLength} bytes a reply of this server can have (its item limit and the reply overhead)`);
  }
  return bodyLength;
}
