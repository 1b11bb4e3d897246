import { connect } from 'node:net';
import * as tls from 'node:tls';
import { type HostPort, toHostPort } from './address';
import { clearTimeout, setTimeout } from './real-timers';

/** Options for {@link rawTextRequest}. */
export interface RawTextRequestOptions {
  /**
   * When the reply is complete. A RegExp is tested against everything received
   * so far. Default: the reply ends with `\r\n` (one-line replies such as
   * `STORED`, `VERSION …`).
   */
  until?: RegExp | ((received: string) => boolean);
  /** Give up after this many ms; default 2000. */
  timeoutMs?: number;
  /** Connect with TLS (a `-Z` server) using these `tls.connect` options. */
  tls?: tls.ConnectionOptions;
}

/**
 * Sends raw bytes over a fresh TCP connection and collects the reply as text
 * until `until` matches, then closes the connection.
 *
 * Deliberately protocol-agnostic: it lets tests (and the readiness probe) talk
 * to memcached without depending on the client package they may be testing.
 *
 * @example
 * ```ts
 * const stats = await rawTextRequest(server.address, 'stats settings\r\n', { until: /^END\r\n/m });
 * ```
 * @throws Error on connection failure, on timeout, or if the peer closes before `until` matched
 */
export function rawTextRequest(
  target: string | HostPort,
  payload: string | Buffer,
  options: RawTextRequestOptions = {},
): Promise<string> {
  const { host, port } = toHostPort(target);
  const until = options.until ?? ((received: string) => received.endsWith('\r\n'));
  const isComplete = typeof until === 'function' ? until : (received: string) => until.test(received);
  const timeoutMs = options.timeoutMs ?? 2000;

  return new Promise((resolve, reject) => {
    let received = '';
    let settled = false;
    const socket = options.tls === undefined ? connect({ host, port }) : tls.connect({ ...options.tls, host, port });
    const finish = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(received);
    };
    const timer = setTimeout(
      () => finish(new Error(`no complete reply from ${host}:${port} within ${timeoutMs} ms; got ${JSON.stringify(received)}`)),
      timeoutMs,
    );
    socket.setEncoding('utf8');
    socket.on(options.tls === undefined ? 'connect' : 'secureConnect', () => socket.write(payload));
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (isComplete(received)) finish(undefined);
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () =>
      finish(new Error(`connection to ${host}:${port} closed before a complete reply; got ${JSON.stringify(received)}`)),
    );
  });
}
