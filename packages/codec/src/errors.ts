/**
 * Typed errors of @mcc/codec. Like every mcc error they extend `McError`
 * from @mcc/protocol and carry a stable `code`: match on `code` (or
 * `McError.isMcError`), not on messages.
 */
import { McError, quoteKey } from '@mcc/protocol';

/** Where an error happened, as far as it is known. */
export interface CodecErrorContext {
  /** Key of the item being written or read. */
  key?: string;
  /** `host:port` of the server owning the key. */
  server?: string;
  cause?: unknown;
}

/**
 * A value cannot be encoded by the codec (a function, `undefined`, a Map, a
 * bigint beyond 64 bits, a cycle, …). Nothing was written. The message names
 * the offending part, e.g. `value.items[3].callback is a function`.
 */
export class EncodeError extends McError {
  static readonly code = 'MCC_ERR_ENCODE';
  /** Path of the offending part inside the value, e.g. `value.items[3].callback`. */
  readonly path: string;
  /** What is wrong with it, e.g. `is a function`. */
  readonly reason: string;
  /** Name of the codec that refused it. */
  readonly codec: string;

  constructor(codec: string, path: string, reason: string, context: CodecErrorContext = {}) {
    const subject = context.key === undefined ? 'a value' : `the value for key ${quoteKey(context.key)}`;
    super(EncodeError.code, `codec ${codec} cannot encode ${subject}: ${path} ${reason}`, context);
    this.path = path;
    this.reason = reason;
    this.codec = codec;
  }

  /** The same error, with the key (and server) of the write that failed. */
  withContext(context: CodecErrorContext): EncodeError {
    return new EncodeError(this.codec, this.path, this.reason, { cause: this.cause, ...context });
  }
}

/**
 * Bytes stored under a key are not a valid encoding for the codec
 * (truncated, corrupt, or using a type outside the mcc format). Never a
 * partial or guessed value.
 */
export class DecodeError extends McError {
  static readonly code = 'MCC_ERR_DECODE';
  /** Name of the codec that failed. */
  readonly codec: string;
  /** What is wrong, without the key prefix. */
  readonly reason: string;
  /** Byte offset of the problem inside the value, when known. */
  readonly offset: number | undefined;

  constructor(codec: string, reason: string, context: CodecErrorContext & { offset?: number } = {}) {
    const subject = context.key === undefined ? 'a value' : `the value of key ${quoteKey(context.key)}`;
    const where = context.offset === undefined ? '' : ` (at byte ${context.offset})`;
    super(DecodeError.code, `codec ${codec} cannot decode ${subject}: ${reason}${where}`, context);
    this.codec = codec;
    this.reason = reason;
    this.offset = context.offset;
  }

  /** The same error, with the key (and server) of the read that failed. */
  withContext(context: CodecErrorContext): DecodeError {
    const offset = this.offset === undefined ? {} : { offset: this.offset };
    return new DecodeError(this.codec, this.reason, { cause: this.cause, ...offset, ...context });
  }
}

/**
 * An item's flags say it was written by another codec, or is not an mcc
 * value at all, so decoding it would produce garbage. Read it with a store
 * using the matching codec (flags 0 = untagged bytes: the raw codec).
 */
export class CodecMismatchError extends McError {
  static readonly code = 'MCC_ERR_CODEC_MISMATCH';
  /** Name of the store's codec. */
  readonly expectedCodec: string;
  /** Id of the store's codec (the low byte of the flags it writes). */
  readonly expectedCodecId: number;
  /** The item's 32-bit flags as found. */
  readonly foundFlags: number;
  /** Codec id in the found flags, or `undefined` when they are not mcc flags. */
  readonly foundCodecId: number | undefined;

  constructor(
    key: string,
    expected: { name: string; id: number },
    foundFlags: number,
    foundDescription: string,
    context: Omit<CodecErrorContext, 'key'> = {},
  ) {
    super(
      CodecMismatchError.code,
      `key ${quoteKey(key)} holds ${foundDescription} (flags 0x${hex32(foundFlags)}), but this store reads codec ` +
        `${expected.name} (id ${expected.id}); read it with a store of the matching codec`,
      { ...context, key },
    );
    this.expectedCodec = expected.name;
    this.expectedCodecId = expected.id;
    this.foundFlags = foundFlags;
    this.foundCodecId = foundFlags >>> 16 === 0x4d43 ? foundFlags & 0xff : undefined;
  }
}

/** `0x4d430001` style, 8 hex digits. */
export function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
