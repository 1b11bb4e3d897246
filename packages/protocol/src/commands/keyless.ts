/**
 * The request fields of a command that names no key and carries no value
 * (noop, version, flush, the authfile handshake): one place for them, so
 * the keyless commands differ only in what they send and how they read the
 * reply.
 */
import type { Command, DecodeState } from '../connection/command';
import type { ServerInfo } from '../connection/server-info';
import type { MetaReply } from '../wire/meta-reply';
import type { RequestExtras } from '../wire/frame-writer';
import type { MetaWriter } from '../wire/meta-writer';
import type { ResponseFrame } from '../wire/response-frame';

export abstract class KeylessRequest<T> implements Command<T> {
  abstract readonly name: string;
  abstract readonly opcode: number;
  readonly key = null;
  readonly keyLength = 0;
  readonly value = null;
  readonly flags = 0;
  readonly cas = 0n;
  readonly casEpoch = undefined;
  readonly extras: RequestExtras | null = null;
  readonly quiet = false;

  abstract decodeBinary(frame: ResponseFrame, state: DecodeState, server: ServerInfo): T;
  abstract encodeMeta(out: MetaWriter, opaque: number, server: ServerInfo): void;
  abstract decodeMeta(reply: MetaReply, state: DecodeState, server: ServerInfo): T;
}
