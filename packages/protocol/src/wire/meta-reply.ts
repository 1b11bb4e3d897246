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

/** Reply codes of meta commands, which echo the request's `O<opaque>` flag. */
const META_CODES = new Set(['HD', 'VA', 'EN', 'NF', 'NS', 'EX', 'MN']);
/** `' c'` for `'c'`: return flags are found by their leading space (the key is never echoed: no `k` flag). */
const FLAG_PREFIX: Record<string, string> = {};

/**
 * Parsed lazily: the hot path (a get or a store) reads the code, the opaque
 * and one or two flags straight from the line, without splitting it.
 */
export class MetaReply {
  /** The first token: `HD`, `VA`, `STAT`, `SERVER_ERROR`, … */
  readonly code: string;
  /** The echoed opaque, or null for replies that carry none (errors, text commands, `MN`). */
  readonly opaque: number | null;

  constructor(
    /** The reply line without "\r\n". */
    readonly line: string,
    /** The data block of a `VA` reply (without its "\r\n"), else null. */
    readonly value: Buffer | null,
  ) {
    const space = line.indexOf(' ');
    this.code = space < 0 ? line : line.slice(0, space);
    let opaque: number | null = null;
    if (space > 0 && META_CODES.has(this.code)) {
      const at = line.lastIndexOf(' O');
      if (at > 0) {
        const end = line.indexOf(' ', at + 2);
        opaque = Number(end < 0 ? line.slice(at + 2) : line.slice(at + 2, end));
      }
    }
    this.opaque = opaque;
  }

  /** The tokens after the code (for `VA`, the first is the data length). */
  get tokens(): string[] {
    return this.line.length === this.code.length ? [] : this.line.slice(this.code.length + 1).split(' ');
  }

  /** The value of a one-letter return flag (`c` → "12" from `c12`), or undefined when absent. */
  flag(letter: string): string | undefined {
    const prefix = (FLAG_PREFIX[letter] ??= ` ${letter}`);
    const at = this.line.indexOf(prefix, this.code.length);
    if (at < 0) return undefined;
    const end = this.line.indexOf(' ', at + 2);
    return end < 0 ? this.line.slice(at + 2) : this.line.slice(at + 2, end);
  }

  /**
   * The unsigned decimal value of a return flag (`c12` → 12n), or null when
   * the flag is absent or not 1–20 digits. Parsed by hand: this runs once per
   * reply, and a regular expression plus BigInt(string) cost more than the rest.
   */
  unsignedFlag(letter: string): bigint | null {
    const prefix = (FLAG_PREFIX[letter] ??= ` ${letter}`);
    const line = this.line;
    const at = line.indexOf(prefix, this.code.length);
    if (at < 0) return null;
    let high = 0; // digits beyond the 15th, kept exact through BigInt only when needed
    let value = 0;
    let digits = 0;
    let i = at + 2;
    for (; i < line.length; i++) {
      const digit = line.charCodeAt(i) - 0x30;
      if (digit < 0 || digit > 9) break;
      if (++digits > 15) high = 1;
      value = value * 10 + digit;
    }
    if (digits === 0 || digits > 20 || (i < line.length && line.charCodeAt(i) !== 0x20)) return null;
    return high === 0 ? BigInt(value) : BigInt(line.slice(at + 2, i));
  }

  /** The text after the code, e.g. the message of a `SERVER_ERROR`. */
  get message(): string {
    return this.line.slice(this.code.length + 1);
  }
}
