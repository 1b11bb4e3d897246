/**
 * Encodes meta (text) requests straight into the connection's outgoing
 * slab: a command writes its request line piece by piece (`text`, `key`,
 * `decimal`), then `end` adds "\r\n" and, for a store, the data block and
 * its "\r\n". No string is built per request: at 64 requests in flight the
 * template strings and their UTF-8 conversion were most of the meta wire's
 * extra cost over binary (garbage and a `Buffer#write` per request).
 *
 * Keys were validated (no spaces or control characters, at most 250 UTF-8
 * bytes), so a line can never be split or injected into, and no key needs
 * the base64 (`b`) form. A line may straddle two slabs: the chunks go out
 * in order in one write, so the server sees the same bytes.
 */
import { ChunkWriter, COPY_VALUE_LIMIT } from './chunk-writer';

const CRLF = Buffer.from('\r\n');
/** Keys up to this many ASCII characters are copied by a loop (cheaper than a call into `Buffer#write`). */
const LOOP_KEY_LIMIT = 64;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export class MetaWriter extends ChunkWriter {
  /** ASCII text (a command word, flag letters, a space): one byte per character. */
  text(ascii: string): this {
    const length = ascii.length;
    this.ensure(length);
    const slab = this.slab;
    let at = this.position;
    for (let i = 0; i < length; i++) slab[at++] = ascii.charCodeAt(i);
    this.wrote(at);
    return this;
  }

  /** A validated key of `byteLength` UTF-8 bytes. */
  key(key: string, byteLength: number): this {
    this.ensure(byteLength);
    const slab = this.slab;
    let at = this.position;
    if (byteLength === key.length && byteLength <= LOOP_KEY_LIMIT) {
      for (let i = 0; i < byteLength; i++) slab[at++] = key.charCodeAt(i);
    } else {
      at += slab.write(key, at, 'utf8');
    }
    this.wrote(at);
    return this;
  }

  /** A non-negative integer in decimal: a number (up to 2^53) or a bigint (up to 2^64). */
  decimal(value: number | bigint): this {
    if (typeof value === 'bigint') {
      if (value > MAX_SAFE) return this.text(value.toString());
      value = Number(value);
    }
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    this.ensure(digits);
    const slab = this.slab;
    let at = this.position + digits;
    this.wrote(at);
    let rest = value;
    do {
      slab[--at] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
    return this;
  }

  /** Ends the request line; `data`, if any, follows as its data block. */
  end(data: Buffer | null = null): void {
    const copy = data !== null && data.length <= COPY_VALUE_LIMIT;
    this.ensure(2 + (copy ? data.length + 2 : 0));
    const slab = this.slab;
    let at = this.position;
    slab[at++] = 0x0d;
    slab[at++] = 0x0a;
    if (copy) {
      at += data.copy(slab, at);
      slab[at++] = 0x0d;
      slab[at++] = 0x0a;
    }
    this.wrote(at);
    if (data !== null && !copy) {
      this.appendChunk(data);
      this.appendChunk(CRLF);
    }
  }
}
