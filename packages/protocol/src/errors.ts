/**
 * Typed errors of @mcc/protocol.
 *
 * Every error carries a stable string `code` (`MCC_ERR_*`): match on `code`
 * (or `McError.isMcError`), not on messages. `instanceof` works too, also
 * when two copies of the packages are installed (a bundled and a hoisted
 * one): every instance records the names of its classes under a `Symbol.for`
 * brand, and {@link McError}'s `Symbol.hasInstance` — inherited by every
 * subclass, in the layers above too — checks that brand when the prototype
 * chain does not match. The layers above (codec, mcas, deque) extend
 * {@link McError} with codes of their own.
 */

import { quoteKey } from './quote-key';

const MARKER = Symbol.for('mcc.error');
/** The names of an instance's error classes, most derived first (the cross-copy `instanceof` brand). */
const BRANDS = Symbol.for('mcc.error.brands');

function classNames(target: abstract new (...args: never[]) => unknown): readonly string[] {
  const names: string[] = [];
  for (let type: unknown = target; typeof type === 'function' && type !== Error && type !== Function.prototype; type = Object.getPrototypeOf(type)) {
    names.push((type as { name: string }).name);
  }
  return Object.freeze(names);
}

/** Base class of every mcc error. */
export class McError extends Error {
  /** Stable machine-readable code, e.g. `MCC_ERR_TIMEOUT`. */
  readonly code: string;
  /** Key of the operation that failed, when there was one. */
  key?: string;
  /** `host:port` of the server involved, when there was one. */
  server?: string;

  constructor(code: string, message: string, options?: { cause?: unknown; key?: string; server?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    if (options?.key !== undefined) this.key = options.key;
    if (options?.server !== undefined) this.server = options.server;
    Object.defineProperty(this, MARKER, { value: true });
    Object.defineProperty(this, BRANDS, { value: classNames(new.target) });
  }

  /**
   * `error instanceof SomeMcError` across duplicated installs: the prototype
   * chain first, else the class names branded on the instance at construction.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== 'object' || value === null) return false;
    const brands = (value as Record<symbol, unknown>)[BRANDS];
    return Array.isArray(brands) && brands.includes(this.name);
  }

  /** True for an mcc error of any class, across duplicated installs. */
  static isMcError(value: unknown): value is McError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** Could not connect to a server, or its socket failed (refused, reset, unreachable). */
export class ConnectionError extends McError {
  static readonly code = 'MCC_ERR_CONNECTION';
  constructor(message: string, options?: { cause?: unknown; key?: string; server?: string }) {
    super(ConnectionError.code, message, options);
  }
}

/**
 * The connection closed while the request was in flight: a write may or may
 * not have been applied (a read simply has no result). Never resent automatically (cas, add and incr are
 * not idempotent); callers that can re-read state resolve the ambiguity.
 */
export class ConnectionClosedError extends McError {
  static readonly code = 'MCC_ERR_CONNECTION_CLOSED';
  constructor(message: string, options?: { cause?: unknown; key?: string; server?: string }) {
    super(ConnectionClosedError.code, message, options);
  }
}

/** A connect or a request did not complete within its timeout. */
export class TimeoutError extends McError {
  static readonly code = 'MCC_ERR_TIMEOUT';
  /** Which deadline passed. */
  readonly phase: 'connect' | 'request';
  /** The timeout that passed, in milliseconds. */
  readonly timeoutMs: number;
  constructor(phase: 'connect' | 'request', timeoutMs: number, message: string, options?: { key?: string; server?: string }) {
    super(TimeoutError.code, message, options);
    this.phase = phase;
    this.timeoutMs = timeoutMs;
  }
}

/** The server sent bytes that are not a valid response of the protocol in use; the connection is closed. */
export class ProtocolError extends McError {
  static readonly code = 'MCC_ERR_PROTOCOL';
  constructor(message: string, options?: { cause?: unknown; key?: string; server?: string }) {
    super(ProtocolError.code, message, options);
  }
}

/** The server answered with an error status that is not an ordinary outcome. */
export class ServerError extends McError {
  static readonly code = 'MCC_ERR_SERVER';
  /**
   * The binary-protocol status, e.g. 0x0082 (out of memory), on either wire:
   * a meta reply is mapped to the binary status of the same meaning
   * (`SERVER_ERROR out of memory` → 0x0082), so callers match one vocabulary.
   */
  readonly status: number;
  constructor(status: number, message: string, options?: { key?: string; server?: string }) {
    super(ServerError.code, message, options);
    this.status = status;
  }
}

/** A value is larger than the server accepts; nothing was written. */
export class ValueTooLargeError extends McError {
  static readonly code = 'MCC_ERR_VALUE_TOO_LARGE';
  /** Size of the refused value in bytes. */
  readonly size: number;
  /** The limit it exceeded in bytes. */
  readonly limit: number;
  constructor(size: number, limit: number, message: string, options?: { key?: string; server?: string }) {
    super(ValueTooLargeError.code, message, options);
    this.size = size;
    this.limit = limit;
  }
}

/** A key is empty, longer than 250 bytes, or otherwise unusable; nothing was sent. */
export class InvalidKeyError extends McError {
  static readonly code = 'MCC_ERR_INVALID_KEY';
  constructor(key: string, reason: string) {
    super(InvalidKeyError.code, `invalid key ${quoteKey(key)}: ${reason}`, { key });
  }
}

/** An argument or option is invalid (a server address, a negative ttl, …); nothing was sent. */
export class InvalidArgumentError extends McError {
  static readonly code = 'MCC_ERR_INVALID_ARGUMENT';
  constructor(message: string, options?: { cause?: unknown; key?: string; server?: string }) {
    super(InvalidArgumentError.code, message, options);
  }
}

/**
 * The server runs with CAS disabled (`memcached -C`): it would silently turn
 * conditional writes into unconditional ones, so they are refused.
 */
export class CasUnsupportedError extends McError {
  static readonly code = 'MCC_ERR_CAS_UNSUPPORTED';
  constructor(server: string, key?: string) {
    super(
      CasUnsupportedError.code,
      `server ${server} has CAS disabled (started with -C): conditional writes would succeed unconditionally; restart it without -C`,
      key === undefined ? { server } : { server, key },
    );
  }
}

/**
 * A conditional write carried a CAS read before the server restarted. A
 * restarted memcached reuses CAS values, so the CAS could match an unrelated
 * item; the write is refused before anything is sent.
 */
export class StaleCasError extends McError {
  static readonly code = 'MCC_ERR_STALE_CAS';
  /** The epoch the CAS was read in. */
  readonly casEpoch: string;
  /** The server's current epoch. */
  readonly currentEpoch: string;
  constructor(casEpoch: string, currentEpoch: string, options: { key?: string; server?: string }) {
    super(
      StaleCasError.code,
      `CAS was read in server epoch ${casEpoch} but the server is now in epoch ${currentEpoch} (it restarted); re-read the item`,
      options,
    );
    this.casEpoch = casEpoch;
    this.currentEpoch = currentEpoch;
  }
}

/** The client was closed; no request is accepted and every pending one is settled with this. */
export class ClientClosedError extends McError {
  static readonly code = 'MCC_ERR_CLIENT_CLOSED';
  constructor(message = 'the client is closed') {
    super(ClientClosedError.code, message);
  }
}

/**
 * The server refused the SASL credentials (`sasl` option, binary protocol).
 * Requests to that server fail with this, without a retry storm: the next
 * attempt waits for the reconnect back-off.
 */
export class AuthenticationError extends McError {
  static readonly code = 'MCC_ERR_AUTH';
  constructor(message: string, options?: { cause?: unknown; key?: string; server?: string }) {
    super(AuthenticationError.code, message, options);
  }
}

/** Too many requests are queued for one server (see `maxQueueLength`); nothing was sent. */
export class QueueFullError extends McError {
  static readonly code = 'MCC_ERR_QUEUE_FULL';
  constructor(server: string, limit: number, key?: string) {
    super(QueueFullError.code, `more than ${limit} requests are queued for ${server}`, key === undefined ? { server } : { server, key });
  }
}
