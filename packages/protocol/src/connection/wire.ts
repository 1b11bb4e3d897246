/**
 * What a connection needs of a wire protocol (binary or meta): a reply
 * parser, a request encoder, how a command is encoded and its reply decoded,
 * and the connection's own requests (the handshake, the fence). One
 * connection implementation (queue, timeouts, reconnection, corking) serves
 * both wires through this.
 */
import type { Command, DecodeState, MORE_REPLIES } from './command';
import type { ServerInfo } from './server-info';

/** A reply of either wire; `opaque` is null for replies that carry none (meta errors, text commands). */
export interface WireReply {
  readonly opaque: number | null;
}

export interface ReplyParser {
  /** `detach`: the chunk is part of a large read buffer; small replies are copied out of it (wire/reply-bytes.ts). */
  feed(chunk: Buffer, detach?: boolean): void;
  /** Memory the socket may read the rest of a partly received reply into, or null. */
  partialTarget(): Buffer | null;
  partialReceived(count: number): void;
  reset(): void;
}

export interface RequestEncoder {
  readonly pendingBytes: number;
  take(): Buffer[];
}

/** The connection's first requests, and how their results become the server's info. */
export interface Handshake {
  /**
   * Runs before `commands` (authentication that must not be pipelined):
   * `send` writes one command alone and resolves with its result once its
   * reply arrived. A rejection fails the connection attempt.
   */
  readonly prelude: ((send: (command: Command<unknown>) => Promise<unknown>) => Promise<void>) | null;
  readonly commands: readonly Command<unknown>[];
  /** Builds the info from the commands' results (in order); throws to fail the connection attempt. */
  finish(results: readonly unknown[]): ServerInfo;
}

export interface Wire {
  readonly name: 'binary' | 'meta';
  /** @param maxBodyLength the longest reply body to accept now */
  createParser(onReply: (reply: WireReply) => void, maxBodyLength: () => number): ReplyParser;
  createEncoder(): RequestEncoder;
  /** `server`: what the handshake learned (a command may choose its form by it). */
  encode(encoder: RequestEncoder, command: Command<unknown>, opaque: number, server: ServerInfo): void;
  /** A message when `reply` cannot belong to `command` (binary: another opcode), else null. */
  mismatch(command: Command<unknown>, reply: WireReply): string | null;
  decode<T>(command: Command<T>, reply: WireReply, state: DecodeState, server: ServerInfo): T | typeof MORE_REPLIES;
  handshake(server: string): Handshake;
  /** A request whose reply settles the quiet requests before it; null when the wire sends no quiet requests. */
  readonly fence: Command<void> | null;
  /** A cheap round trip (to connect and learn the server's info on demand). */
  readonly noop: Command<void>;
  /** For traces: the command's name on this wire (binary: the opcode's; meta: the request line's first word). */
  commandName(command: Command<unknown>, server: ServerInfo): string;
  /** For traces: the bytes a reply took on the wire. */
  replyBytes(reply: WireReply): number;
}
