/**
 * Observability through `node:diagnostics_channel` (no logging, no
 * dependency), the way undici and ioredis publish:
 *
 * - `mcc:protocol:command` — a TracingChannel (`tracing:mcc:protocol:command:start`,
 *   `…:end`, `…:asyncStart`, `…:asyncEnd`, `…:error`): one trace per command a
 *   caller sent, on either wire, with a {@link CommandMessage}. The
 *   connection's own requests (handshake, NOOP fence, TLS nudge) are not traced.
 * - `mcc:protocol:connect` — a connection finished its handshake ({@link ConnectMessage}).
 * - `mcc:protocol:close` — a connection that carried requests ended ({@link CloseMessage}).
 * - `mcc:protocol:error` — a connection (or an attempt) failed ({@link ConnectionErrorMessage}).
 *
 * Nothing is built while nobody subscribes: every publisher checks
 * `hasSubscribers` first, so an unobserved client pays one property read.
 */
import { channel, tracingChannel } from 'node:diagnostics_channel';
import type { Command } from './connection/command';
import { Request } from './connection/request';
import type { ServerInfo } from './connection/server-info';
import type { Wire } from './connection/wire';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyRequest = Request<any>;

/** The context of one `mcc:protocol:command` trace; filled in as the command travels. */
export interface CommandMessage {
  /** `host:port` of the server the command went to. */
  readonly server: string;
  readonly wire: 'binary' | 'meta';
  /** Binary: the opcode's name (`get`, `getkq`, `setq`…); meta: the command (`mg`, `ms`, `md`, `ma`, `mn`, `stats`…). */
  command: string;
  /** The key, or null (noop, stats, version, flush). */
  readonly key: string | null;
  /** Bytes encoded for the request (0 if it was refused or failed before it was written). */
  requestBytes: number;
  /** Bytes of the reply or replies that settled it (0 for a quiet request settled by silence, or one without reply). */
  replyBytes: number;
  /** Milliseconds from `send` to the settlement (fractional, from `performance.now()`). */
  durationMs: number;
  /** Set by the channel on success: the command's result. */
  result?: unknown;
  /** Set by the channel on failure: the error the caller gets. */
  error?: unknown;
}

export interface ConnectMessage {
  readonly server: string;
  readonly wire: 'binary' | 'meta';
  readonly tls: boolean;
}

export interface CloseMessage {
  readonly server: string;
  readonly tls: boolean;
  /** `'client'` (closed by `Client.close`), `'server'` (the server closed the socket), `'error'` (see `error`). */
  readonly reason: 'client' | 'server' | 'error';
  readonly error: Error | null;
}

export interface ConnectionErrorMessage {
  readonly server: string;
  readonly tls: boolean;
  /** `'connect'`: an attempt to connect (or authenticate) failed; `'connection'`: an established connection failed. */
  readonly phase: 'connect' | 'connection';
  readonly error: Error;
}

export const commandChannel = tracingChannel<unknown, CommandMessage>('mcc:protocol:command');
export const connectChannel = channel('mcc:protocol:connect');
export const closeChannel = channel('mcc:protocol:close');
export const errorChannel = channel('mcc:protocol:error');

/**
 * `Connection.send` while someone subscribes to `mcc:protocol:command`: the
 * request carries its trace context, whose bytes the connection counts
 * ({@link traceEncoded}, and per reply in its reply handler). The duration
 * is taken as the request settles, before the channel's asyncStart/asyncEnd.
 */
export function traceSend<T>(server: string, wire: 'binary' | 'meta', command: Command<T>, submit: (request: AnyRequest) => void): Promise<T> {
  const message: CommandMessage = { server, wire, command: command.name, key: command.key, requestBytes: 0, replyBytes: 0, durationMs: 0 };
  const started = performance.now();
  return commandChannel.tracePromise(() => new Promise<T>((resolve, reject) => {
    const request = new Request<T>(
      command,
      (value) => {
        message.durationMs = performance.now() - started;
        resolve(value);
      },
      (error) => {
        message.durationMs = performance.now() - started;
        reject(error);
      },
    );
    request.trace = message;
    submit(request as AnyRequest);
  }), message);
}

/** A traced request was encoded: its size, and its name on the wire. */
export function traceEncoded(message: CommandMessage, wire: Wire, command: Command<unknown>, server: ServerInfo, bytes: number): void {
  message.requestBytes = bytes;
  message.command = wire.commandName(command, server);
}

export function publishConnect(server: string, wire: 'binary' | 'meta', tls: boolean): void {
  if (connectChannel.hasSubscribers) connectChannel.publish({ server, wire, tls } satisfies ConnectMessage);
}

/** `Client.close` ended a ready connection. */
export function publishClose(server: string, tls: boolean): void {
  if (closeChannel.hasSubscribers) closeChannel.publish({ server, tls, reason: 'client', error: null } satisfies CloseMessage);
}

/** A socket was lost: while connecting, an `error` (phase connect); once established, `error` if it failed, then `close`. */
export function publishLost(server: string, tls: boolean, phase: 'connect' | 'connection', error: Error | null): void {
  if (error !== null && errorChannel.hasSubscribers) errorChannel.publish({ server, tls, phase, error } satisfies ConnectionErrorMessage);
  if (phase === 'connection' && closeChannel.hasSubscribers) {
    closeChannel.publish({ server, tls, reason: error === null ? 'server' : 'error', error } satisfies CloseMessage);
  }
}
