/**
 * One parsed response frame.
 *
 * Buffer ownership: `buffer` is either the socket chunk the frame arrived in
 * or a buffer allocated for this frame alone; the parser never writes into
 * it again. `key()`, `extras()` and `value()` are views (no copy), so they
 * stay valid for as long as anyone holds them — and they keep the underlying
 * chunk alive. Copy a small value you intend to keep for a long time.
 */
export class ResponseFrame {
  constructor(
    readonly buffer: Buffer,
    /** Offset of the 24-byte header inside `buffer`. */
    readonly offset: number,
  ) {}

  get opcode(): number {
    return this.buffer[this.offset + 1]!;
  }
  get keyLength(): number {
    return this.buffer.readUInt16BE(this.offset + 2);
  }
  get extrasLength(): number {
    return this.buffer[this.offset + 4]!;
  }
  get status(): number {
    return this.buffer.readUInt16BE(this.offset + 6);
  }
  get bodyLength(): number {
    return this.buffer.readUInt32BE(this.offset + 8);
  }
  get opaque(): number {
    return this.buffer.readUInt32BE(this.offset + 12);
  }
  get cas(): bigint {
    return this.buffer.readBigUInt64BE(this.offset + 16);
  }
  /** Total length of the frame: header plus body. */
  get length(): number {
    return 24 + this.bodyLength;
  }

  extras(): Buffer {
    const start = this.offset + 24;
    return this.buffer.subarray(start, start + this.extrasLength);
  }
  key(): Buffer {
    const start = this.offset + 24 + this.extrasLength;
    return this.buffer.subarray(start, start + this.keyLength);
  }
  /** The value bytes (a view; see the ownership note above). */
  value(): Buffer {
    const start = this.offset + 24 + this.extrasLength + this.keyLength;
    return this.buffer.subarray(start, this.offset + 24 + this.bodyLength);
  }
  /** Item flags: the first 4 bytes of the extras of a get reply (0 when absent). */
  flags(): number {
    return this.extrasLength >= 4 ? this.buffer.readUInt32BE(this.offset + 24) : 0;
  }
}
