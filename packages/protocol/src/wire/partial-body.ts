/**
 * The bytes of one reply that arrives over several socket reads, collected
 * into memory that grows as they arrive: a length field announcing a huge
 * body reserves at most {@link FIRST_ALLOCATION} (or twice what arrived)
 * before the bytes exist. The final buffer is exactly `length` long, and is
 * never written again once handed out by {@link bytes}.
 */
import { ProtocolError } from '../errors';

/** Replies up to this size (every item under memcached's default `-I 1m`) get their full buffer at once. */
const FIRST_ALLOCATION = 1024 * 1024 + 4096;

export class PartialBody {
  #buffer: Buffer;
  #filled = 0;

  /** Starts with `source[start, end)`, the first bytes of a reply of `length` bytes. */
  constructor(readonly length: number, source: Buffer, start: number, end: number) {
    this.#buffer = Buffer.allocUnsafe(Math.min(length, Math.max(FIRST_ALLOCATION, 2 * (end - start))));
    this.append(source, start, end);
  }

  get complete(): boolean {
    return this.#filled === this.length;
  }

  /** Copies bytes of `chunk` from `offset` (up to `end`, at most what is missing); returns how many it took. */
  append(chunk: Buffer, offset: number, end = chunk.length): number {
    const taken = Math.min(this.length - this.#filled, end - offset);
    this.#reserve(this.#filled + taken);
    chunk.copy(this.#buffer, this.#filled, offset, offset + taken);
    this.#filled += taken;
    return taken;
  }

  /** The free memory the socket may read the next bytes of this reply into (never beyond its end). */
  target(): Buffer {
    if (this.#filled === this.#buffer.length) this.#reserve(this.#filled + 1);
    return this.#buffer.subarray(this.#filled, Math.min(this.#buffer.length, this.length));
  }

  /** `count` bytes were read into {@link target}. */
  received(count: number): void {
    if (this.#filled + count > Math.min(this.#buffer.length, this.length)) throw new ProtocolError('more bytes were read into a reply than it was missing');
    this.#filled += count;
  }

  /** The whole reply, once complete. */
  bytes(): Buffer {
    return this.#buffer;
  }

  /** Grows the buffer (doubling, capped at `length`) to hold `needed` bytes. */
  #reserve(needed: number): void {
    if (needed <= this.#buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.min(this.length, Math.max(needed, 2 * this.#buffer.length)));
    this.#buffer.copy(grown, 0, 0, this.#filled);
    this.#buffer = grown;
  }
}
