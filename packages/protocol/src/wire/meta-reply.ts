/**
 * One reply line of the meta (text) protocol, with its data block for `VA`.
 *
 * Meta replies are `<code> <flags>*` (`HD c12 O7`, `VA 5 f0 c12 O7` and the
 * data block, `EN`, `NF`, `NS`, `EX`, `MN`); the classic text commands the
 * client also sends answer `STAT <name> <value>` … `END`, `VERSION <v>` and
 * `OK`; errors are `ERROR`, `CLIENT_ERROR <message>` and `SERVER_ERROR
 * <message>` — without an opaque (checked on memcached 1.6.18).
 *
 * Buffer ownership as for binary frames: `value` may be a view of a socket
 * chunk (valid for as long as it is held, keeping that chunk alive).
 */

/** Two-letter codes by their bytes (`VA` = 0x5641), without building a string per reply. */
const TWO_LETTER_CODES = new Map<number, string>(['VA', 'HD', 'EN', 'NF', 'NS', 'EX', 'MN', 'OK'].map((code) => [(code.charCodeAt(0) << 8) | code.charCodeAt(1), code]));
/** Codes whose replies echo the request's `O<opaque>` flag. */
const ECHOING = new Set(['VA', 'HD', 'EN', 'NF', 'NS', 'EX']);
const SPACE = 0x20;

/**
 * Read from the line's bytes where they arrived: the hot path (a get or a
 * store) takes the code, the opaque and one or two flags without building a
 * string; `line`, `tokens` and `message` are decoded on demand.
 */
export class MetaReply {
  /** The first token: `HD`, `VA`, `STAT`, `SERVER_ERROR`, … */
  readonly code: string;
  /** The echoed opaque, or null for replies that carry none (errors, text commands, `MN`). */
  readonly opaque: number | null;
  #line: string | null = null;

  constructor(
    /** The bytes holding the line (without "\r\n") at [start, end); never written again. */
    private readonly bytes: Buffer,
    private readonly start: number,
    private readonly end: number,
    /** The data block of a `VA` reply (without its "\r\n"), else null. */
    readonly value: Buffer | null,
  ) {
    const length = end - start;
    let code: string | undefined;
    if (length === 2 || (length > 2 && bytes[start + 2] === SPACE)) code = TWO_LETTER_CODES.get((bytes[start]! << 8) | bytes[start + 1]!);
    if (code === undefined) {
      const space = bytes.indexOf(SPACE, start);
      code = bytes.toString('latin1', start, space < 0 || space > end ? end : space);
    }
    this.code = code;
    this.opaque = ECHOING.has(code) ? this.#opaque() : null;
  }

  /** Bytes on the wire: the line and its "\r\n", and the data block and its "\r\n" if any. */
  get size(): number {
    return this.end - this.start + 2 + (this.value === null ? 0 : this.value.length + 2);
  }

  /** A reply made from a string (tests, and lines assembled from several chunks). */
  static of(line: string, value: Buffer | null = null): MetaReply {
    const bytes = Buffer.from(line, 'latin1');
    return new MetaReply(bytes, 0, bytes.length, value);
  }

  /** The reply line without "\r\n". */
  get line(): string {
    return (this.#line ??= this.bytes.toString('latin1', this.start, this.end));
  }

  /** The tokens after the code (for `VA`, the first is the data length). */
  get tokens(): string[] {
    return this.line.length === this.code.length ? [] : this.line.slice(this.code.length + 1).split(' ');
  }

  /** The text after the code, e.g. the message of a `SERVER_ERROR`. */
  get message(): string {
    return this.line.slice(this.code.length + 1);
  }

  /** The value of a one-letter return flag (`c` → "12" from `c12`), or undefined when absent. */
  flag(letter: string): string | undefined {
    const at = this.#flagStart(letter);
    if (at < 0) return undefined;
    const space = this.bytes.indexOf(SPACE, at);
    return this.bytes.toString('latin1', at, space < 0 || space > this.end ? this.end : space);
  }

  /**
   * The unsigned decimal value of a return flag (`c12` → 12n), or null when
   * the flag is absent or not 1–20 digits. Parsed by hand from the bytes:
   * this runs once per reply.
   */
  unsignedFlag(letter: string): bigint | null {
    const at = this.#flagStart(letter);
    if (at < 0) return null;
    const end = this.#digitsEnd(at);
    const digits = end - at;
    if (digits === 0 || digits > 20) return null;
    // Up to 15 digits are exact in a double; longer ones go through the string.
    return digits <= 15 ? BigInt(this.#decimal(at, end)) : BigInt(this.bytes.toString('latin1', at, end));
  }

  /** As {@link unsignedFlag}, for a flag of at most 10 digits (client flags: 32 bits), as a number; -1 when invalid. */
  smallFlag(letter: string): number {
    const at = this.#flagStart(letter);
    if (at < 0) return -1;
    const end = this.#digitsEnd(at);
    return end === at || end - at > 10 ? -1 : this.#decimal(at, end);
  }

  /** Where the value of flag `letter` starts (after " c"), or -1 when absent. Flags follow the code; the key is never echoed (no `k`). */
  #flagStart(letter: string): number {
    const wanted = letter.charCodeAt(0);
    const bytes = this.bytes;
    for (let i = this.start + this.code.length; i < this.end - 1; i++) {
      if (bytes[i] === SPACE && bytes[i + 1] === wanted) return i + 2;
    }
    return -1;
  }

  /** The end of the run of digits from `at`, or `at` itself when the run does not end at a space or the end of the line. */
  #digitsEnd(at: number): number {
    const bytes = this.bytes;
    let i = at;
    while (i < this.end && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) i++;
    return i < this.end && bytes[i] !== SPACE ? at : i;
  }

  #decimal(start: number, end: number): number {
    let value = 0;
    for (let i = start; i < end; i++) value = value * 10 + (this.bytes[i]! - 0x30);
    return value;
  }

  /** The `O` flag, searched from the end (requests put it last, so replies echo it last). */
  #opaque(): number | null {
    const bytes = this.bytes;
    for (let i = this.end - 1; i > this.start + 2; i--) {
      if (bytes[i] === 0x4f && bytes[i - 1] === SPACE) {
        const end = this.#digitsEnd(i + 1);
        // A malformed opaque matches no request: NaN, so the connection reports the reply.
        return end === i + 1 || end - i - 1 > 10 ? NaN : this.#decimal(i + 1, end);
      }
    }
    return null;
  }
}
