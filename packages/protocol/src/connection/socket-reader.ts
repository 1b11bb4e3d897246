/**
 * Chooses where the socket reads next, for `net.connect({ onread })`.
 *
 * Reads fill a buffer forward and the replies that arrived whole in it are
 * handed out as views (no copy); it is only ever filled forward, so views of
 * earlier replies stay valid (like socket chunks, a view keeps its buffer
 * alive). While a large reply is partly received, the kernel reads the rest
 * straight into that reply's own buffer: its value is copied once, by the
 * kernel, instead of twice.
 *
 * The buffer's size follows the replies. Small replies fill a 64 KiB buffer,
 * so a small value never keeps more than 64 KiB alive. After a read straight
 * into a large reply, the next large replies are likely queued behind it:
 * reads go into a buffer of up to 1 MiB (for as long as each brings at least
 * a large reply's worth of bytes) and take several at once
 * (each a view), only the last one, cut by the buffer's end, being copied in
 * part before its own buffer takes over. For `get 100 KiB` at 64 in flight
 * that is ~0.4 reads per reply instead of two (a 4 KiB probe for the header,
 * then the rest) and far fewer allocations: client CPU per get ~40 → ~33 µs
 * (BENCHMARKS.md, "Large reads in one go"). The price: a large value may
 * keep up to 1 MiB alive (the replies read with it); small replies read
 * into a large buffer are copied out (wire/reply-bytes.ts).
 */
import { LARGE_REPLY } from '../wire/reply-bytes';
import type { ReplyParser } from './wire';

/** The buffer small replies are read into (the most a small value keeps alive). */
const READ_BUFFER_SIZE = 64 * 1024;
/** The most read at once after a large reply: room for several. */
const LARGE_READ_BUFFER_SIZE = 1024 * 1024;
/** Start a fresh buffer rather than read into a smaller tail than this. */
const MIN_FREE = 8 * 1024;
/** Below this, the rest of a reply is read with whatever follows it, in one read. */
const DIRECT_READ_MIN = LARGE_REPLY;

export class SocketReader {
  #buffer = Buffer.allocUnsafe(READ_BUFFER_SIZE);
  #offset = 0;
  /** Whether {@link #buffer} is a large one (small replies read into it are copied out). */
  #large = false;
  /**
   * The size of the next large buffer: twice what the last one took before
   * it was left (64 KiB to 1 MiB), so large replies mixed with small ones do
   * not allocate 1 MiB each time (that memory would count towards the next GC).
   */
  #largeSize = LARGE_READ_BUFFER_SIZE;
  #intoPartial = false;
  /**
   * Large replies are coming: the last read went straight into one, or it
   * brought at least a large reply's worth of bytes into a large buffer.
   */
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
    const large = this.#afterLarge;
    // Small replies leave a large buffer's tail unused rather than be read (and copied) out of it.
    if (large !== this.#large || this.#buffer.length - this.#offset < MIN_FREE) {
      if (this.#large) this.#largeSize = Math.min(LARGE_READ_BUFFER_SIZE, Math.max(READ_BUFFER_SIZE, 2 * this.#offset));
      this.#buffer = Buffer.allocUnsafe(large ? this.#largeSize : READ_BUFFER_SIZE);
      this.#offset = 0;
      this.#large = large;
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
    if (this.#large) this.#afterLarge = count >= LARGE_REPLY;
    this.parser.feed(chunk, this.#large);
  }

  /** A chunk that arrived in memory of its own (TLS): parsed in place. */
  feed(chunk: Buffer): void {
    this.parser.feed(chunk);
  }
}
