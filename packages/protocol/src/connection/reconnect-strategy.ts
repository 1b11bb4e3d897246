/**
 * How long to wait before the next connection attempt to a server that
 * failed. A pure function of the attempt number so it can be tested without
 * timers and replaced by users.
 *
 * @param attempt 1 for the first retry after a failure, 2 for the next, …
 * @param error   why the previous attempt failed
 * @returns milliseconds to wait; until then requests to that server fail fast
 */
export type ReconnectStrategy = (attempt: number, error: Error) => number;

/**
 * Exponential backoff from `baseMs`, capped at `maxMs`, with "equal jitter"
 * (half fixed, half random) so many clients that lost the same server do not
 * reconnect in lock-step.
 */
export function exponentialBackoff(baseMs = 50, maxMs = 2000, random: () => number = Math.random): ReconnectStrategy {
  return (attempt) => {
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(ceiling / 2 + (random() * ceiling) / 2);
  };
}
