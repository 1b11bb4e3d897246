/**
 * Timers taken from `node:timers` instead of the globals.
 *
 * Why: a test that calls `jest.useFakeTimers()` replaces the global
 * setTimeout/setImmediate/Date, which would freeze the harness's polling and
 * delays. The `node:timers` module keeps the real implementations.
 */
import { clearTimeout, setImmediate, setTimeout } from 'node:timers';

export { clearTimeout, setImmediate, setTimeout };

/** Resolves after `ms` real milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
}

/** Resolves on the next check phase of the real event loop. */
export function nextImmediate(): Promise<void> {
  return new Promise((resolve) => {
    setImmediate(resolve);
  });
}

/**
 * A point in the future measured by a real timer, so deadlines keep working
 * even if `Date.now()` is faked.
 */
export class Deadline {
  #expired = false;
  readonly #timer: ReturnType<typeof setTimeout>;

  /** @param ms - time until the deadline expires */
  constructor(ms: number) {
    this.#timer = setTimeout(() => {
      this.#expired = true;
    }, ms);
    // The deadline alone must never keep the process alive.
    this.#timer.unref();
  }

  /** true once the time has passed */
  get expired(): boolean {
    return this.#expired;
  }

  /** releases the timer */
  cancel(): void {
    clearTimeout(this.#timer);
  }
}
