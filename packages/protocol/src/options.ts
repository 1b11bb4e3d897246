/** Options of {@link Client}, with their defaults. */
import type * as tls from 'node:tls';
import { exponentialBackoff, type ReconnectStrategy } from './connection/reconnect-strategy';

/** The wire protocol: memcached's binary protocol, or its meta (text) protocol. */
export type Protocol = 'binary' | 'meta';

/** Environment variable naming the protocol of clients whose options do not choose one. */
export const PROTOCOL_ENV = 'MCC_PROTOCOL';

/** SASL PLAIN credentials (memcached `-S`; binary protocol only). */
export interface SaslOptions {
  readonly username: string;
  readonly password: string;
}

/** Credentials of memcached's authfile (`-Y`; meta protocol only). */
export interface AuthOptions {
  readonly username: string;
  readonly password: string;
}

export interface ClientOptions {
  /**
   * `'binary'` (default) or `'meta'`: same methods, results and errors on
   * both. Meta is what memcached's proxy, mcrouter and managed services that
   * refuse binary accept. When omitted, the `MCC_PROTOCOL` environment
   * variable chooses (so a deployment or a test run can switch without code
   * changes), else binary.
   */
  protocol?: Protocol;
  /**
   * TLS (memcached `-Z`): `true` verifies the server against the system's
   * CAs; an object is passed to `tls.connect` (`ca`, `cert`, `key`,
   * `servername`, `rejectUnauthorized`, …). A failed TLS handshake is a
   * `ConnectionError` saying why. Default false (plain TCP).
   */
  tls?: boolean | tls.ConnectionOptions;
  /**
   * SASL PLAIN credentials (memcached `-S`), sent on every (re)connect before
   * any request. Refused credentials give `AuthenticationError`. Binary
   * protocol only: refused with `protocol: 'meta'`.
   */
  sasl?: SaslOptions;
  /**
   * Credentials for memcached's authfile (`-Y`, lines of `user:password`),
   * the text and meta protocol's authentication: on every (re)connect the
   * client asks whether the server requires it and only then sends them,
   * before any request. Refused credentials give `AuthenticationError`. Meta
   * protocol only (a `-Y` server answers binary requests in text): refused
   * with `protocol: 'binary'`. Neither part may contain whitespace (the
   * server splits them at a space); the username no `:`.
   */
  auth?: AuthOptions;
  /** Milliseconds to open a connection and learn the server's settings. Default 2000. */
  connectTimeoutMs?: number;
  /**
   * Milliseconds a request may take, from the call until its reply, including
   * time queued while connecting. Default 5000. When a sent request times out
   * its connection is closed (the stream's state is unknown), so the other
   * requests in flight on it reject with `ConnectionClosedError`.
   */
  requestTimeoutMs?: number;
  /** Disable Nagle's algorithm (`socket.setNoDelay`). Default true: requests are already batched per tick. */
  noDelay?: boolean;
  /** TCP keep-alive initial delay in milliseconds; 0 disables keep-alive. Default 30000. */
  keepAliveMs?: number;
  /** Most requests queued or in flight per server before new ones fail with `QueueFullError`. Default 100000. */
  maxQueueLength?: number;
  /**
   * Bytes of requests written and not yet answered, per connection, before
   * further requests wait in its queue (within their timeouts) until half of
   * it drained. Default 1 MiB: large sets (100 KiB values at 64 in flight)
   * then no longer pile megabytes into the kernel's socket buffers, which
   * made memcached's work per set grow; a get counts only its own few bytes.
   * `Infinity` disables the bound. At least one request is always in flight.
   */
  maxBytesInFlight?: number;
  /**
   * Delay before reconnecting to a server whose connection attempt failed;
   * requests to it fail fast with `ConnectionError` meanwhile. Default:
   * exponential from 50 ms to 2 s with jitter. The first reconnect after a
   * working connection drops is immediate.
   */
  reconnectStrategy?: ReconnectStrategy;
  /** Ketama points per server and unit of weight (a multiple of 4). Default 160. Every client of a cluster must agree. */
  pointsPerServer?: number;
  /**
   * Receives failures of fire-and-forget requests (`deleteQuiet`) whose
   * promise nobody awaited. Default: `process.emitWarning`.
   */
  onBackgroundError?: (error: Error) => void;
}

export type ResolvedClientOptions = Required<Omit<ClientOptions, 'tls' | 'sasl' | 'auth'>> & {
  readonly tls: false | tls.ConnectionOptions;
  readonly sasl: SaslOptions | null;
  readonly auth: AuthOptions | null;
};

export const DEFAULT_CLIENT_OPTIONS: ResolvedClientOptions = Object.freeze({
  protocol: 'binary',
  tls: false,
  sasl: null,
  auth: null,
  connectTimeoutMs: 2000,
  requestTimeoutMs: 5000,
  noDelay: true,
  keepAliveMs: 30_000,
  maxQueueLength: 100_000,
  maxBytesInFlight: 1024 * 1024,
  reconnectStrategy: exponentialBackoff(50, 2000),
  pointsPerServer: 160,
  // The message, not the Error itself: process.emitWarning accepts only an Error of
  // Node's own realm and throws a TypeError for one from another realm (e.g. a jest
  // vm context), which then escaped as an unhandled rejection.
  onBackgroundError: (error: Error) => {
    const code = (error as { code?: unknown }).code;
    process.emitWarning(error.message, typeof code === 'string' ? { type: error.name, code } : { type: error.name });
  },
});
