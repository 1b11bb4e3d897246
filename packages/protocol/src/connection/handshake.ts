/**
 * The requests a connection sends by itself: the handshake that learns the
 * server's epoch and settings on every (re)connect, and the NOOP fence.
 */
import { acknowledgeHandler } from '../commands/simple';
import { statsHandler } from '../commands/stats';
import { Opcode } from '../wire/constants';
import { Request, type RequestSpec } from './request';

export const NOOP_SPEC: RequestSpec<void> = {
  opcode: Opcode.Noop, key: null, keyLength: 0, extras: null, value: null, cas: 0n, handler: acknowledgeHandler,
};

export function statsSpec(group: string | null): RequestSpec<Map<string, string>> {
  return {
    opcode: Opcode.Stat, key: group, keyLength: group === null ? 0 : Buffer.byteLength(group),
    extras: null, value: null, cas: 0n, handler: statsHandler,
  };
}

/**
 * A handshake request. Its deadline is the connect timer's business: with the
 * default deadline of 0, any sweep running during the handshake (armed by an
 * earlier request) took it for timed out and killed a healthy connection attempt.
 */
export function handshakeRequest<T>(spec: RequestSpec<T>, resolve: (value: T) => void, reject: (error: Error) => void): Request<T> {
  const request = new Request<T>(spec, false, resolve, reject);
  request.deadline = Infinity;
  return request;
}

/** A NOOP fence, timing out like any request (a deadline of 0 would look expired to the next sweep). */
export function fenceRequest(timeoutMs: number): Request<void> {
  const fence = new Request(NOOP_SPEC, false, () => {}, () => {});
  fence.deadline = Date.now() + timeoutMs;
  return fence;
}
