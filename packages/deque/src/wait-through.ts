/**
 * The waiting loop of `popWait`, `popLeftWait`, `moveToWait` (and `consume`,
 * through `popLeftWait`): try, and while nothing came, sleep with doubling
 * back-off (1 ms up to 50 ms) until the timeout or the signal.
 *
 * A dropped connection is waited through rather than reported at once: an
 * attempt that failed because a reply was lost *before anything could have
 * changed* — a read, a request refused during the reconnect back-off, an
 * MCAS that aborted — is simply another empty attempt. Errors after which
 * something may have changed (DequeOutcomeUnknownError, McasOutcomeUnknownError:
 * they carry what may have been taken) are thrown at once, as is everything
 * else. If the timeout passes while the connection is still down, the last
 * connection error is thrown: the deque may not be empty, so `undefined`
 * would be a lie.
 */
import { ConnectionClosedError, ConnectionError, TimeoutError } from '@mcc/mcas';
import { sleep } from './wait';

export interface WaitOptions {
  /** Give up after this many milliseconds and resolve `undefined`. Default: wait forever. */
  timeoutMs?: number;
  /** Stop waiting: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

const POLL_MAX_DELAY_MS = 50;
const RETRYABLE_CODES: ReadonlySet<string> = new Set([ConnectionClosedError.code, ConnectionError.code, TimeoutError.code]);

/** Whether nothing can have changed when `attempt` failed with `error` (see the file comment). */
function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && RETRYABLE_CODES.has((error as { code?: unknown }).code as string);
}

/**
 * Calls `attempt` until it yields a value, sleeping between empty attempts
 * (1 ms doubling to 50 ms) and through dropped connections, until
 * `timeoutMs` passes (`undefined`) or `signal` aborts (its reason).
 */
export async function waitFor<T>(attempt: () => Promise<T | undefined>, options: WaitOptions): Promise<T | undefined> {
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  let delay = 1;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      if (!isRetryable(error) || Date.now() >= deadline) throw error;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) return undefined;
    await sleep(Math.min(delay, remaining), options.signal);
    delay = Math.min(delay * 2, POLL_MAX_DELAY_MS);
  }
}
