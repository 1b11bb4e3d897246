/**
 * Small I/O helpers shared by the MCAS steps: recognising a lost reply,
 * re-reading through one, and naming a CAS condition.
 */
import { ConnectionClosedError, ConnectionError, ProtocolError, ServerError, StaleCasError, TimeoutError, type Entry } from '@mcc/codec';
import { setTimeout as sleep } from 'node:timers/promises';

/** Codes matched, not classes, so that a second copy of @mcc/protocol in node_modules still counts. */
const LOST_REPLY_CODES: ReadonlySet<string> = new Set([ConnectionClosedError.code, TimeoutError.code, ConnectionError.code, ProtocolError.code]);

/**
 * Whether a write that failed with `error` may or may not have been applied:
 * the request may have reached the server, its reply did not come back — a
 * closed connection, a timeout, a connection error, or a `ProtocolError`
 * (the client closes the connection on a reply it cannot parse, so the
 * requests in flight on it are lost replies like any other). The one
 * classification every layer uses (MCAS steps, deque anchor CASes and
 * transactions, queue markers).
 */
export function isLostReply(error: unknown): error is Error {
  return typeof error === 'object' && error !== null && LOST_REPLY_CODES.has((error as { code?: unknown }).code as string);
}

/**
 * The server answered that it did not store the write (e.g. out of memory on
 * a full `-M` server, status 0x0082): the write was not applied, and — since
 * every conditional write is a `replace` carrying the CAS — the item it would
 * have replaced is still there (docs/FORMAT.md, "Server facts").
 */
export function isRefusedWrite(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === ServerError.code;
}

/** A CAS id from before a server restart: the location cannot hold what we expected any more. */
export function isStaleCas(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === StaleCasError.code;
}

/** Pauses before each re-read after a lost reply: a reconnect usually needs one event-loop turn, a restarting proxy a little longer. */
const REREAD_DELAYS_MS: readonly number[] = [0, 50, 200];

/**
 * Runs a read, retrying it after lost replies (reads are idempotent); after
 * the last attempt the lost-reply error is thrown. Any other error is thrown
 * at once.
 */
export async function rereading<T>(read: () => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (const delay of REREAD_DELAYS_MS) {
    if (delay > 0) await sleep(delay);
    try {
      return await read();
    } catch (error) {
      if (!isLostReply(error)) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

/**
 * The condition of a conditional write: what `store.cas` needs from an
 * entry (key, CAS and epoch; the value and kind are not used). An empty
 * epoch (a caller's entry-like object without one) means "unchecked": the
 * client compares any epoch it is given with the server's.
 */
export function condition(key: string, cas: bigint, epoch: string): Entry<unknown> {
  const entry = { key, cas, epoch: epoch === '' ? undefined : epoch, value: null, kind: 0 };
  return entry as unknown as Entry<unknown>;
}
