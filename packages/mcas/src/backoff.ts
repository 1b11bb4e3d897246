/**
 * Adaptive, jittered back-off after lost races: the one contention manager
 * of mcc, used by `mcasUpdate` and by the deque's anchor loop.
 *
 * A lost CAS means another writer succeeded — progress — but retrying at
 * once against the same hot item mostly loses again, and the more writers
 * the fewer CASes win (each retry lands inside someone else's read-to-CAS
 * window). Exponential back-off with full jitter (Anderson 1990; Herlihy &
 * Shavit, "The Art of Multiprocessor Programming" §7.4; the AWS
 * architecture note "Exponential Backoff and Jitter", 2015) spreads the
 * attempts out so roughly one writer is inside the window at a time.
 *
 * Adaptive: the state is a *level* that survives between operations — each
 * lost race raises it by one, each win lowers it by one — so a process that
 * keeps meeting contention starts its next retry already spread out, and one
 * that stopped meeting it returns to retrying at once. The wait after a loss
 * is uniform in [0, unit · 2^(level−1)], capped; the unit can follow the
 * measured round trip, so the same policy fits loopback (~40 µs) and a
 * datacenter (~500 µs).
 */

export interface BackoffOptions {
  /** The ceiling after the first loss, in ms (the level-1 ceiling). */
  readonly unitMs: number;
  /** Largest ceiling, in ms. */
  readonly maxMs: number;
  /** Level after which the ceiling stops growing (guards 2^level). Default 16. */
  readonly maxLevel?: number;
  /**
   * Losses in a run (from level 0) retried at once, before waits begin.
   * Default 0. An isolated loss is common and cheap to retry when the fresh
   * state came back with it (the deque reads its anchor behind the CAS).
   */
  readonly immediateRetries?: number;
}

/** Waits shorter than this are a yield to the event loop, not a timer (timers have 1 ms granularity). */
const TIMER_THRESHOLD_MS = 0.5;

export class Backoff {
  #level = 0;
  #unitMs: number;
  readonly #maxMs: number;
  readonly #maxLevel: number;
  readonly #immediate: number;

  constructor(options: BackoffOptions) {
    this.#unitMs = options.unitMs;
    this.#maxMs = options.maxMs;
    this.#maxLevel = options.maxLevel ?? 16;
    this.#immediate = options.immediateRetries ?? 0;
  }

  /** Recent contention: 0 when the last races were won. */
  get level(): number {
    return this.#level;
  }

  /** Follow a measured round trip (or any other scale), in ms. */
  set unitMs(ms: number) {
    if (ms > 0 && Number.isFinite(ms)) this.#unitMs = ms;
  }

  get unitMs(): number {
    return this.#unitMs;
  }

  /** A race was lost: raises the level and returns how long to wait before the next attempt, in ms. */
  failure(): number {
    this.#level = Math.min(this.#level + 1, this.#maxLevel + this.#immediate);
    if (this.#level <= this.#immediate) return 0;
    const ceiling = Math.min(this.#maxMs, this.#unitMs * 2 ** (this.#level - this.#immediate - 1));
    return Math.random() * ceiling;
  }

  /** A race was won: lowers the level. */
  success(): void {
    if (this.#level > 0) this.#level -= 1;
  }
}

/**
 * Waits `ms` (a yield to the event loop when it is below timer granularity),
 * or rejects with the signal's reason as soon as it aborts.
 */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clear();
      reject(signal!.reason);
    };
    const done = (): void => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    };
    let clear: () => void;
    if (ms < TIMER_THRESHOLD_MS) {
      const immediate = setImmediate(done);
      clear = () => clearImmediate(immediate);
    } else {
      const timer = setTimeout(done, ms);
      clear = () => clearTimeout(timer);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
