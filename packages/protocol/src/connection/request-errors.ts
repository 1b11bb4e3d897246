/**
 * The errors a connection settles requests with. Each request gets an error
 * of its own, naming its operation, key and server (never one shared
 * instance), and saying whether the request may have been applied.
 */
import { AuthenticationError, CasUnsupportedError, ConnectionClosedError, ConnectionError, McError, ProtocolError, StaleCasError, TimeoutError, ValueTooLargeError } from '../errors';
import type { ServerInfo } from './server-info';
import type { Request } from './request';

type AnyRequest = Request<unknown>;

/** "set \"key\"", for messages. */
export function describe(request: Pick<AnyRequest, 'command' | 'key'>): string {
  const name = request.command.name;
  return request.key === null ? name : `${name} ${JSON.stringify(request.key)}`;
}

/** Node's codes of certificate verification failures. */
const UNTRUSTED = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;

/**
 * Why a connection attempt failed, said so that the fix is plain: a TLS
 * handshake failure names TLS and its reason (certificate, hostname, a
 * server that speaks no TLS); a plain connection the server closes before
 * answering may be a TLS-only (`-Z`) server.
 */
export function connectCause(error: Error | null, tls: boolean, heard: boolean, opened: boolean): Error {
  if (error instanceof McError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  // Under TLS 1.3 the server refuses a missing client certificate after the client's side of the handshake ended: an SSL alert.
  const alert = error !== null && /SSL routines|alert/.test(error.message);
  if (tls && (!opened || alert) && code !== 'ECONNREFUSED' && code !== 'EHOSTUNREACH' && code !== 'ENOTFOUND') {
    const detail = error === null ? 'the server closed the connection' : `${String(code ?? error.name)}: ${error.message}`;
    const reason =
      code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? `the server's certificate does not name this host (${detail}); check the address or tls.servername`
      : /alert (certificate required|handshake failure|unknown ca|bad certificate)/i.test(error?.message ?? '') ? `the server refused this client's certificate or requires one (${detail}); check tls.cert and tls.key`
      : typeof code === 'string' && UNTRUSTED.test(code) ? `the server's certificate is not trusted (${detail}); check tls.ca`
      : code === 'EPROTO' || /wrong version number|packet length too long/i.test(error?.message ?? '') ? `the server does not speak TLS on this port (${detail}); is memcached started with -Z?`
      : `${detail}; a server that requires a client certificate (ssl_verify_mode) closes the handshake without one (tls.cert, tls.key)`;
    return new ConnectionError(`TLS handshake failed: ${reason}`, { cause: error ?? undefined });
  }
  if (!tls && opened && !heard && (error === null || code === 'ECONNRESET')) {
    return new ConnectionError('the server closed the connection before answering: if it requires TLS (memcached -Z), set the `tls` option', { cause: error ?? undefined });
  }
  return error ?? new Error('connection closed during the handshake');
}

/** The connection attempt took too long; `silentBinary`: a binary connection was accepted and heard nothing. */
export function connectTimeout(server: string, timeoutMs: number, silentBinary: boolean): TimeoutError {
  // memcached -Y reads requests up to a newline before it answers, so binary requests get no reply at all.
  const hint = silentBinary
    ? ": the server accepted the connection but answered nothing (a memcached -Y server waits for text-protocol requests: use protocol 'meta' with the auth option)"
    : '';
  return new TimeoutError('connect', timeoutMs, `could not connect to ${server} within ${timeoutMs} ms${hint}`, { server });
}

export function where(request: Pick<AnyRequest, 'key'>, server: string): { key?: string; server: string } {
  return request.key === null ? { server } : { key: request.key, server };
}

/** The connection never became ready: nothing of the request was written. */
export function connectFailure(request: AnyRequest, server: string, cause: Error): Error {
  if (cause instanceof AuthenticationError) return new AuthenticationError(`${describe(request)}: ${cause.message}; nothing was written`, { cause, ...where(request, server) });
  return cause instanceof TimeoutError
    ? new TimeoutError(cause.phase, cause.timeoutMs, `${describe(request)}: ${cause.message}; nothing was written`, where(request, server))
    : new ConnectionError(`${describe(request)}: cannot connect to ${server}: ${cause.message}`, { cause, ...where(request, server) });
}

/** What an unanswered request leaves: a write may or may not have been applied; a read has no result. */
function outcome(request: AnyRequest): string {
  return request.command.value !== null || request.command.cas !== 0n || !READS.has(request.command.name)
    ? 'it may or may not have been applied'
    : 'it read nothing (retrying it is safe)';
}
const READS = new Set(['get', 'getkq', 'stats', 'version', 'noop']);

/** The connection was lost with the request written: a write may or may not have been applied. */
export function inFlightFailure(request: AnyRequest, server: string, error: Error | null): Error {
  if (error instanceof ProtocolError) {
    return new ProtocolError(`${describe(request)}: ${error.message}; the connection was closed with the request in flight, ${outcome(request)}`, { cause: error, ...where(request, server) });
  }
  const how = error === null ? 'closed' : (error instanceof McError ? 'closed (' : 'failed (') + error.message + ')';
  return new ConnectionClosedError(
    `${describe(request)}: connection to ${server} ${how} with the request in flight; ${outcome(request)}`,
    { cause: error ?? undefined, ...where(request, server) },
  );
}

/** The request waited for the connection longer than its timeout: nothing was written. */
/** Why the server (as the handshake described it) must not get `request`, or null: nothing is sent for a refused request. */
export function refusal(request: AnyRequest, info: ServerInfo, server: string): Error | null {
  const command = request.command;
  if (command.cas !== 0n) {
    if (!info.casEnabled) return new CasUnsupportedError(server, request.key ?? undefined);
    if (command.casEpoch !== undefined && command.casEpoch !== '' && command.casEpoch !== info.epoch) {
      return new StaleCasError(command.casEpoch, info.epoch, where(request, server));
    }
  }
  if (command.value !== null) {
    const limit = info.maxValueLength(command.keyLength, command.flags);
    if (command.value.length > limit) {
      return new ValueTooLargeError(
        command.value.length, limit,
        `${describe(request)}: a ${command.value.length}-byte value exceeds the ${limit}-byte limit of ${server} (item_size_max ${info.itemSizeMax}); nothing was written`,
        where(request, server),
      );
    }
  }
  return null;
}

/** A request made while the connection waits `waitMs` more before its next attempt (it failed with `lastError`). */
export function backoffFailure(request: AnyRequest, server: string, lastError: Error | null, waitMs: number): Error {
  const reason = lastError?.message ?? 'unknown error';
  if (lastError instanceof AuthenticationError) {
    // Refused credentials stay refused: fail fast with the same error until the back-off passes.
    return new AuthenticationError(`${describe(request)}: ${reason}; next attempt in ${waitMs} ms`, { cause: lastError, ...where(request, server) });
  }
  return new ConnectionError(`${server} is unreachable (${reason}); next connection attempt in ${waitMs} ms`, { cause: lastError, ...where(request, server) });
}

export function unsentTimeout(request: AnyRequest, server: string, timeoutMs: number): TimeoutError {
  return new TimeoutError('request', timeoutMs, `${describe(request)}: not sent to ${server} within ${timeoutMs} ms (server not ready); nothing was written`, where(request, server));
}

/** The request was written and no reply came in time: it may or may not have been applied. */
export function replyTimeout(request: AnyRequest, server: string, timeoutMs: number): TimeoutError {
  return new TimeoutError('request', timeoutMs, `${describe(request)}: no reply from ${server} within ${timeoutMs} ms; ${outcome(request)}`, where(request, server));
}
