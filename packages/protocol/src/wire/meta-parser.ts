/**
 * Incremental parser of meta (text) protocol replies: lines ending in
 * "\r\n", and after a `VA <length> …` line a data block of that length and
 * "\r\n".
 *
 * As for binary frames, a data block that arrived whole inside one socket
 * chunk is handed out as a view (no copy); one split across chunks is
 * assembled as its bytes arrive ({@link PartialBody}), and the socket may
 * read straight into it ({@link partialTarget}). Nothing is trusted: a line
 * longer than {@link MAX_LINE_LENGTH}, a line not ending in "\r\n", a data
 * length that is not a decimal or exceeds the caller's bound (the server's
 * item limit), or a data block not followed by "\r\n" is a
 * {@link ProtocolError}, and the caller closes the connection.
 */
import { ProtocolError } from '../errors';
import { MetaReply } from './meta-reply';
import { PartialBody } from './partial-body';
import { replyBytes } from './reply-bytes';

/** No reply line of memcached is longer (flags and a 250-byte key fit many times over). */
export const MAX_LINE_LENGTH = 8192;
const LF = 0x0a;
const CR = 0x0d;

export class MetaParser {
  /** A line split across chunks collects here. */
  readonly #line = Buffer.allocUnsafe(MAX_LINE_LENGTH);
  #lineFilled = 0;
  /** The `VA` line whose data block is being assembled (its bytes, start, end), and the block (with its "\r\n"). */
  #valueLine: [Buffer, number, number] | null = null;
  #partial: PartialBody | null = null;

  /** @param maxValueLength the longest data block accepted now */
  constructor(
    private readonly onReply: (reply: MetaReply) => void,
    private readonly maxValueLength: () => number,
  ) {}

  /**
   * Feeds one chunk; calls `onReply` for each complete reply, in order. Throws ProtocolError on garbage.
   * `detach`: the chunk is part of a large read buffer, so small data blocks are copied out (see replyBytes).
   */
  feed(chunk: Buffer, detach = false): void {
    let offset = 0;
    const end = chunk.length;
    if (this.#partial !== null) {
      offset = this.#partial.append(chunk, 0);
      if (!this.#partial.complete) return;
      this.#finishPartial();
    }
    while (offset < end) {
      const newline = chunk.indexOf(LF, offset);
      if (newline < 0) {
        this.#keepLine(chunk, offset, end);
        return;
      }
      // The line's bytes: in place, or (split across chunks) a copy of the scratch buffer.
      let bytes = chunk;
      let start = offset;
      let stop = newline;
      if (this.#lineFilled > 0) {
        this.#keepLine(chunk, offset, newline);
        bytes = Buffer.from(this.#line.subarray(0, this.#lineFilled));
        start = 0;
        stop = bytes.length;
        this.#lineFilled = 0;
      } else if (stop - start > MAX_LINE_LENGTH) {
        throw new ProtocolError(`a reply line is longer than ${MAX_LINE_LENGTH} bytes`);
      }
      if (stop === start || bytes[stop - 1] !== CR) {
        throw new ProtocolError(`a reply line does not end in "\\r\\n": ${JSON.stringify(bytes.toString('latin1', start, Math.min(stop, start + 80)))}`);
      }
      stop--; // without the "\r"
      offset = newline + 1;
      if (!(bytes[start] === 0x56 && bytes[start + 1] === 0x41 && bytes[start + 2] === 0x20)) { // "VA "
        this.onReply(new MetaReply(bytes, start, stop, null));
        continue;
      }
      const length = this.#valueLength(bytes, start, stop);
      if (end - offset >= length + 2) {
        checkTerminator(chunk, offset + length);
        this.onReply(new MetaReply(bytes, start, stop, replyBytes(chunk, offset, offset + length, detach)));
        offset += length + 2;
        continue;
      }
      this.#valueLine = [bytes, start, stop];
      this.#partial = new PartialBody(length + 2, chunk, offset, end);
      return;
    }
  }

  /** The unfilled rest of the data block being assembled, for the socket to read into; null when none is. */
  partialTarget(): Buffer | null {
    return this.#partial === null ? null : this.#partial.target();
  }

  /** `count` bytes were read straight into {@link partialTarget}. */
  partialReceived(count: number): void {
    const partial = this.#partial;
    if (partial === null) throw new ProtocolError('bytes were read into a reply that was not being assembled');
    partial.received(count);
    if (partial.complete) this.#finishPartial();
  }

  /** Forgets any partial reply (after the connection closed). */
  reset(): void {
    this.#lineFilled = 0;
    this.#partial = null;
    this.#valueLine = null;
  }

  #finishPartial(): void {
    const block = this.#partial!.bytes();
    this.#partial = null;
    checkTerminator(block, block.length - 2);
    const [bytes, start, stop] = this.#valueLine!;
    this.#valueLine = null;
    this.onReply(new MetaReply(bytes, start, stop, block.subarray(0, block.length - 2)));
  }

  #keepLine(chunk: Buffer, offset: number, end: number): void {
    if (this.#lineFilled + end - offset > MAX_LINE_LENGTH) {
      throw new ProtocolError(`a reply line is longer than ${MAX_LINE_LENGTH} bytes`);
    }
    chunk.copy(this.#line, this.#lineFilled, offset, end);
    this.#lineFilled += end - offset;
  }

  /** The data length of the `VA` line at [start, stop), checked against the bound. */
  #valueLength(bytes: Buffer, start: number, stop: number): number {
    let length = 0;
    let i = start + 3;
    for (; i < stop && i < start + 14; i++) {
      const digit = bytes[i]! - 0x30;
      if (digit < 0 || digit > 9) break;
      length = length * 10 + digit;
    }
    if (i === start + 3 || (i < stop && bytes[i] !== 0x20)) length = NaN;
    const limit = this.maxValueLength();
    if (!(length <= limit)) {
      throw new ProtocolError(`reply ${JSON.stringify(bytes.toString('latin1', start, Math.min(stop, start + 80)))} announces a data block larger than the ${limit} bytes an item of this server can have`);
    }
    return length;
  }
}

function checkTerminator(buffer: Buffer, at: number): void {
  if (buffer[at] !== CR || buffer[at + 1] !== LF) throw new ProtocolError('a data block is not followed by "\\r\\n"');
}
