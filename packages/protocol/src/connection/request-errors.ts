/**
 * The errors a connection settles requests with. Each request gets an error
 * of its own, naming its operation, key and server (never one shared
 * instance), and saying whether the request may have been applied.
 */
import { operationName } from '../commands/status-error';
import { ConnectionClosedError, ConnectionError, McError, ProtocolError, TimeoutError } from '../errors';
import type { Request } from './request';

type AnyRequest = Request<unknown>;

/** "set \"key\"", for messages. */
export function describe(request: Pick<AnyRequest, 'opcode' | 'key'>): string {
  const name = operationName(request.opcode);
  return request.key === null ? name : `${name} ${JSON.stringify(request.key)}`;
}

export function where(request: Pick<AnyRequest, 'key'>, server: string): { key?: string; server: string } {
  return request.key === null ? { server } : { key: request.key, server };
}

/** The connection never became ready: nothing of the request was written. */
export function connectFailure(request: AnyRequest, server: string, cause: Error): Error {
  return cause instanceof TimeoutError
    ? new TimeoutError(cause.phase, cause.timeoutMs, `${describe(request)}: ${cause.message}; nothing was written`, where(request, server))
    : new ConnectionError(`${describe(request)}: cannot connect to ${server}: ${cause.message}`, { cause, ...where(request, server) });
}

/** The connection was lost with the request written: it may or may not have been applied. */
export function inFlightFailure(request: AnyRequest, server: string, error: Error | null): Error {
  if (error instanceof ProtocolError) {
    return new ProtocolError(`${describe(request)}: ${error.message}; the connection was closed with the request in flight, it may or may not have been applied`, { cause: error, ...where(request, server) });
  }
  const how = error === null ? 'closed' : (error instanceof McError ? 'closed (' : 'failed (') + error.message + ')';
  return new ConnectionClosedError(
    `${describe(request)}: connection to ${server} ${how} with the request in flight; it may or may not have been applied`,
    { cause: error ?? undefined, ...where(request, server) },
  );
}

/** The request waited for the connection longer than its timeout: nothing was written. */
export function unsentTimeout(request: AnyRequest, server: string, timeoutMs: number): TimeoutError {
  return new TimeoutError('request', timeoutMs, `${describe(request)}: not sent to ${server} within ${timeoutMs} ms (server not ready); nothing was written`, where(request, server));
}

/** The request was written and no reply came in time: it may or may not have been applied. */
export function replyTimeout(request: AnyRequest, server: string, timeoutMs: number): TimeoutError {
  return new TimeoutError('request', timeoutMs, `${describe(request)}: no reply from ${server} within ${timeoutMs} ms; it may or may not have been applied`, where(request, server));
}
