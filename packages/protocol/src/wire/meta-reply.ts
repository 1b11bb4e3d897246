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

export class MetaReply {
  /** The first token: `HD`, `VA`, `STAT`, `SERVER_ERROR`, … */
  readonly code: string;
  /** The tokens after the code (for `VA`, the first is the data length). */
  readonly tokens: readonly string[];
  /** The echoed opaque, or null for replies that carry none (errors, text commands, `MN`). */
  readonly opaque: number | null;

  constructor(
    /** The reply line without "\r\n". */
    readonly line: string,
    /** The data block of a `VA` reply (without its "\r\n"), else null. */
    readonly value: Buffer | null,
  ) {
    const tokens = line.split(' ');
    this.code = tokens[0]!;
    this.tokens = tokens.slice(1);
    let opaque: number | null = null;
    if (META_CODES.has(this.code)) {
      for (const token of this.tokens) if (token.charCodeAt(0) === 0x4f /* O */) opaque = Number(token.slice(1));
    }
    this.opaque = opaque;
  }

  /** The value of a one-letter return flag (`c` → "12" from `c12`), or undefined when absent. */
  flag(letter: string): string | undefined {
    const start = this.code === 'VA' ? 1 : 0;
    for (let i = start; i < this.tokens.length; i++) {
      const token = this.tokens[i]!;
      if (token[0] === letter) return token.slice(1);
    }
    return undefined;
  }

  /** The text after the code, e.g. the message of a `SERVER_ERROR`. */
  get message(): string {
    return this.line.slice(this.code.length + 1);
  }
}
