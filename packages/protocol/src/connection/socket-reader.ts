/**
 * Chooses where the socket reads next, for `net.connect({ onread })`.
 *
 * While a large frame is partly received, the kernel reads straight into the
 * buffer that frame is being assembled in: a 100 KiB value is then copied
 * once (by the kernel) instead of twice. Otherwise reads go into the free
 * tail of a 64 KiB buffer that is only ever filled forward, so the views of
 * earlier frames handed out from it stay valid (like socket chunks, a view
 * keeps its buffer alive).
 */
import type { ReplyParser } from './wire';

const READ_BUFFER_SIZE = 64 * 1024;
/** Start a fresh buffer rather than read into a smaller tail than this. */
const MIN_FREE = 8 * 1024;
/** Below this, the rest of a frame is read with whatever follows it, in one read. */
const DIRECT_READ_MIN = 16 * 1024;

export class SocketReader {
  #buffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
  #offset = 0;
  #intoPartial = false;

  constructor(private readonly parser: ReplyParser) {}

  /** The memory the next read fills. */
  next(): Buffer {
    const partial = this.parser.partialTarget();
    if (partial !== null && partial.length >= DIRECT_READ_MIN) {
      this.#intoPartial = true;
      return partial;
    }
    this.#intoPartial = false;
    if (this.#buffer.length - this.#offset < MIN_FREE) {
      this.#buffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
      this.#offset = 0;
    }
    return this.#buffer.subarray(this.#offset);
  }

  /** `count` bytes arrived in the memory `next()` returned. Throws what the parser throws. */
  received(count: number): void {
    if (this.#intoPartial) {
      this.parser.partialReceived(count);
      return;
    }
    const chunk = this.#buffer.subarray(this.#offset, this.#offset + count);
    this.#offset += count;
    this.parser.feed(chunk);
  }

  /** A chunk that arrived in memory of its own (TLS): parsed in place. */
  feed(chunk: Buffer): void {
    this.parser.feed(chunk);
  }
}
