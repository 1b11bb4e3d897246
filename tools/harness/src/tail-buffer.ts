/**
 * Keeps only the last `limit` bytes written to it: enough of a child's stderr
 * to explain a failure without growing without bound.
 */
export class TailBuffer {
  #chunks: Buffer[] = [];
  #length = 0;

  /** @param limit - maximum number of bytes kept */
  constructor(readonly limit = 8 * 1024) {}

  /** Appends a chunk, dropping the oldest bytes beyond the limit. */
  push(chunk: Buffer | string): void {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.#chunks.push(buffer);
    this.#length += buffer.length;
    while (this.#length > this.limit && this.#chunks.length > 0) {
      const excess = this.#length - this.limit;
      const first = this.#chunks[0]!;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#length -= first.length;
      } else {
        this.#chunks[0] = first.subarray(excess);
        this.#length -= excess;
      }
    }
  }

  /** The retained bytes as UTF-8 text. */
  toString(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}
