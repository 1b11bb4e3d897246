/**
 * Incremental parser of binary-protocol responses.
 *
 * Frames that arrive whole inside one socket chunk are handed out as views
 * of that chunk: no copy, no concatenation. Only a frame that straddles
 * chunks is assembled, into a buffer allocated once at its exact size as
 * soon as its header is complete (a 24-byte scratch buffer holds a split
 * header). No buffer that was handed out is ever written again, so views
 * stay valid (see {@link ResponseFrame}).
 *
 * A frame with a bad magic byte or an impossible length is a
 * {@link ProtocolError}: the stream can no longer be trusted, and the caller
 * closes the connection.
 */
import { ProtocolError } from '../errors';
import { HEADER_LENGTH, MAX_BODY_LENGTH, RESPONSE_MAGIC } from './constants';
import { ResponseFrame } from './response-frame';

export class FrameParser {
  /** A header split across chunks collects here. */
  readonly #header = Buffer.alloc(HEADER_LENGTH);
  #headerFilled = 0;
  /** The frame being assembled across chunks, allocated at its full size. */
  #partial: Buffer | null = null;
  #partialFilled = 0;

  constructor(private readonly onFrame: (frame: ResponseFrame) => void) {}

  /** True while part of a frame is buffered (the stream is mid-frame). */
  get midFrame(): boolean {
    return this.#headerFilled > 0 || this.#partial !== null;
  }

  /** Feeds one chunk; calls `onFrame` for each complete frame, in order. Throws ProtocolError on garbage. */
  feed(chunk: Buffer): void {
    let offset = 0;
    if (this.#headerFilled > 0 || this.#partial !== null) {
      offset = this.#continuePartial(chunk);
      if (offset < 0) return; // the whole chunk went into the partial frame
    }
    const end = chunk.length;
    while (end - offset >= HEADER_LENGTH) {
      const frameLength = HEADER_LENGTH + checkHeader(chunk, offset);
      if (end - offset < frameLength) {
        this.#startPartial(chunk, offset, frameLength);
        return;
      }
      this.onFrame(new ResponseFrame(chunk, offset));
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
    if (this.#partial === null) return null;
    return this.#partial.subarray(this.#partialFilled);
  }

  /** `count` bytes were read straight into {@link partialTarget}. */
  partialReceived(count: number): void {
    const partial = this.#partial;
    if (partial === null || this.#partialFilled + count > partial.length) {
      throw new ProtocolError('bytes were read into a frame that was not being assembled');
    }
    this.#partialFilled += count;
    if (this.#partialFilled < partial.length) return;
    this.#partial = null;
    this.#partialFilled = 0;
    this.onFrame(new ResponseFrame(partial, 0));
  }

  /** Forgets any partial frame (after the connection closed). */
  reset(): void {
    this.#headerFilled = 0;
    this.#partial = null;
    this.#partialFilled = 0;
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
      const frameLength = HEADER_LENGTH + checkHeader(this.#header, 0);
      this.#headerFilled = 0;
      this.#partial = Buffer.allocUnsafe(frameLength);
      this.#header.copy(this.#partial, 0);
      this.#partialFilled = HEADER_LENGTH;
    }
    const partial = this.#partial;
    const taken = Math.min(partial.length - this.#partialFilled, chunk.length - offset);
    chunk.copy(partial, this.#partialFilled, offset, offset + taken);
    this.#partialFilled += taken;
    offset += taken;
    if (this.#partialFilled < partial.length) return -1;
    this.#partial = null;
    this.#partialFilled = 0;
    this.onFrame(new ResponseFrame(partial, 0));
    return offset;
  }

  #startPartial(chunk: Buffer, offset: number, frameLength: number): void {
    const partial = Buffer.allocUnsafe(frameLength);
    chunk.copy(partial, 0, offset);
    this.#partial = partial;
    this.#partialFilled = chunk.length - offset;
  }
}

/** Validates the header at `offset` and returns its body length. */
function checkHeader(buffer: Buffer, offset: number): number {
  const magic = buffer[offset]!;
  if (magic !== RESPONSE_MAGIC) {
    throw new ProtocolError(`bad magic byte 0x${magic.toString(16)} in a response header (expected 0x81)`);
  }
  const keyLength = buffer.readUInt16BE(offset + 2);
  const extrasLength = buffer[offset + 4]!;
  const bodyLength = buffer.readUInt32BE(offset + 8);
  if (keyLength + extrasLength > bodyLength) {
    throw new ProtocolError(`response body length ${bodyLength} is shorter than its key (${keyLength}) and extras (${extrasLength})`);
  }
  if (bodyLength > MAX_BODY_LENGTH) {
    throw new ProtocolError(`response body length ${bodyLength} exceeds the largest possible item`);
  }
  return bodyLength;
}
