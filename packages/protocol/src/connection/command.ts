/**
 * The contract every memcached command fulfils, whichever wire carries it.
 *
 * A command holds what the connection must check before sending (key, value
 * size, CAS condition), its request encoding and its reply decoding for the
 * binary and for the meta wire side by side (one file per command, in
 * `commands/`). The connection knows commands only through this interface.
 */
import type { RequestExtras } from '../wire/frame-writer';
import type { MetaReply } from '../wire/meta-reply';
import type { MetaWriter } from '../wire/meta-writer';
import type { ResponseFrame } from '../wire/response-frame';
import type { ServerInfo } from './server-info';

/** Returned by a decoder that expects more replies for the same request (stats). */
export const MORE_REPLIES: unique symbol = Symbol('more replies');

/** Per-request scratch space a decoder may use (stats collects its lines there). */
export interface DecodeState {
  accumulator: unknown;
}

export interface Command<T> {
  /** For messages: "set", "getkq", "stats". */
  readonly name: string;
  readonly key: string | null;
  /** UTF-8 byte length of `key` (0 without one). */
  readonly keyLength: number;
  /** The value sent, checked against the server's item limit before sending. */
  readonly value: Buffer | null;
  /** Client flags stored with the value (non-zero flags cost 4 bytes of the limit). */
  readonly flags: number;
  /** CAS condition; 0n for none. */
  readonly cas: bigint;
  /** The server epoch `cas` was read in, if known. */
  readonly casEpoch: string | undefined;

  /** Binary: the request's opcode and extras. */
  readonly opcode: number;
  readonly extras: RequestExtras | null;
  /** Binary: a quiet opcode (no reply on success or miss). */
  readonly quiet: boolean;
  /** Binary: the result of a reply. Throws the error to reject with. */
  decodeBinary(frame: ResponseFrame, state: DecodeState, server: ServerInfo): T | typeof MORE_REPLIES;
  /** Binary, quiet commands: a later reply came first, so this one succeeded (or missed) silently. */
  onSilence?(): T;

  /**
   * Meta: writes the request — its line (with `O<opaque>` where the command
   * accepts one; the classic text commands stats, version and flush_all do
   * not), its data block if any, and any request that must follow in the
   * same write (a read-back) — straight into the connection's output.
   * Throws InvalidArgumentError when the command has no meta form.
   */
  encodeMeta(out: MetaWriter, opaque: number, server: ServerInfo): void;
  /** Meta: the result of a reply. Throws the error to reject with. */
  decodeMeta(reply: MetaReply, state: DecodeState, server: ServerInfo): T | typeof MORE_REPLIES;
}
