/**
 * Chooses where the socket reads next, for `net.connect({ onread })`.
 *
 * While a large frame is partly received, the kernel reads straight into the
 * buffer that frame is being assembled in: a 100 KiB value is then copied
 * once (by the kernel) instead of twice. The read after such a one is short
 * (a probe for the next reply's header), so the next large reply's first
 * piece, which is copied into its buffer, is small too: `get 100 KiB` at 64
 * in flight went from ~40 to ~35 µs of client CPU per operation. Otherwise reads go into the free
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
/**
 * After a large reply, the next is likely large too: a short read takes its
 * header and little more, so only that much is copied into its buffer and
 * the rest is read straight into it (a full-size read would copy up to 64 KiB).
 */
const PROBE_READ = 4 * 1024;

export class SocketReader {
  #buffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
  #offset = 0;
  #intoPartial = false;
  /** The last read went into a large reply: the next one is capped (see PROBE_READ). */
  #afterLarge = false;

  constructor(private readonly parser: ReplyParser) {}

  /** The memory the next read fills. */
  next(): Buffer {
    const partial = this.parser.partialTarget();
    if (partial !== null && partial.length >= DIRECT_READ_MIN) {
      this.#intoPartial = true;
      this.#afterLarge = true;
      return partial;
    }
    this.#intoPartial = false;
    if (this.#buffer.length - this.#offset < MIN_FREE) {
      this.#buffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
      this.#offset = 0;
    }
    if (this.#afterLarge) {
      this.#afterLarge = false;
      return this.#buffer.subarray(this.#offset, this.#offset + PROBE_READ);
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
