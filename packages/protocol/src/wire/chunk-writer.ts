/**
 * Outgoing bytes of one connection, as chunks for one corked write.
 *
 * Small pieces are written one after another into a slab; a large value is
 * not copied at all but becomes a chunk of its own (the caller's exact
 * Buffer), so the socket writes it with `writev`. After {@link take} hands
 * the chunks out, their bytes are never written again: the next request
 * continues after them, or in a new slab. The binary and the meta encoders
 * both write through this.
 */

const SLAB_SIZE = 64 * 1024;
/** Values up to this size are copied next to their header: one chunk beats two for small writes. */
export const COPY_VALUE_LIMIT = 2048;

export class ChunkWriter {
  protected slab: Buffer = Buffer.allocUnsafe(SLAB_SIZE);
  /** Where the next byte goes in the slab. */
  protected position = 0;
  /** Start of the bytes in the slab not yet handed out. */
  #start = 0;
  #chunks: Buffer[] = [];
  #pendingBytes = 0;

  /** Bytes encoded and not yet taken. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Hands out everything written since the last call, in order. */
  take(): Buffer[] {
    this.#seal();
    const chunks = this.#chunks;
    this.#chunks = [];
    this.#pendingBytes = 0;
    return chunks;
  }

  /** Makes room for `length` contiguous bytes at `position`. */
  protected ensure(length: number): void {
    if (this.slab.length - this.position >= length) return;
    this.#seal();
    this.slab = Buffer.allocUnsafe(Math.max(SLAB_SIZE, length));
    this.#start = 0;
    this.position = 0;
  }

  /** The bytes up to `end` of the slab were written. */
  protected wrote(end: number): void {
    this.#pendingBytes += end - this.position;
    this.position = end;
  }

  /** Sends `buffer` as a chunk of its own, uncopied, after what the slab holds so far. */
  protected appendChunk(buffer: Buffer): void {
    this.#seal();
    this.#chunks.push(buffer);
    this.#pendingBytes += buffer.length;
  }

  /** Ends the current run of slab bytes as a chunk. */
  #seal(): void {
    if (this.position > this.#start) {
      this.#chunks.push(this.slab.subarray(this.#start, this.position));
      this.#start = this.position;
    }
  }
}
