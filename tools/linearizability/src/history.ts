/**
 * Recording a concurrent history: for every operation its client, input,
 * invocation and response times, and its output — or, when its outcome is
 * unknown, no response at all (open-ended, as Jepsen records `:info`
 * operations: it may take effect at any time after its invocation, or
 * never). See outcome.ts for which errors count as what.
 *
 * Times are microseconds of `process.hrtime` — CLOCK_MONOTONIC, one clock
 * for every process of the machine — so histories recorded by several child
 * processes merge into one without clock skew.
 */
import { classifyError, errorCode, type ErrorOutcome } from './outcome';

/** One operation of a history; plain JSON, so histories travel between processes. */
export interface HistoryOperation<I = unknown, O = unknown> {
  /** Who issued it: a client issues one operation at a time. */
  readonly client: number;
  readonly input: I;
  /** Invocation time, µs. */
  readonly call: number;
  /** Response time, µs; `null` for an open-ended operation (outcome unknown). */
  readonly return: number | null;
  /** The result (`undefined` is recorded as `null`); absent when open-ended. */
  readonly output?: O;
  /** For an open-ended operation: the error's code (or message). */
  readonly error?: string;
}

export interface RecorderOptions {
  /** µs; default: the shared monotonic clock. */
  readonly clock?: () => number;
  /** Default: {@link classifyError}. */
  readonly classify?: (error: unknown) => ErrorOutcome;
}

export interface RecorderStats {
  readonly ok: number;
  readonly unknown: number;
  readonly notApplied: number;
  readonly unexpected: number;
}

/** The machine-wide monotonic clock, in µs. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** An invoked operation awaiting its response. */
export interface PendingOperation<O> {
  /** It returned `output`. */
  ok(output: O): void;
  /** It failed with `error`; returns how the error was classified. */
  fail(error: unknown): ErrorOutcome;
}

interface Slot<I, O> {
  client: number;
  input: I;
  call: number;
  return: number | null;
  output?: O;
  error?: string;
  dropped: boolean;
}

export class HistoryRecorder<I = unknown, O = unknown> {
  readonly #slots: Slot<I, O>[] = [];
  readonly #clock: () => number;
  readonly #classify: (error: unknown) => ErrorOutcome;
  readonly #stats = { ok: 0, unknown: 0, notApplied: 0, unexpected: 0 };
  /** Messages of the 'unexpected' errors, for the test's report. */
  readonly unexpectedErrors: string[] = [];

  constructor(options: RecorderOptions = {}) {
    this.#clock = options.clock ?? monotonicMicros;
    this.#classify = options.classify ?? classifyError;
  }

  /** Records the invocation now; call `ok` or `fail` on the result when it responds. */
  invoke(client: number, input: I): PendingOperation<O> {
    const slot: Slot<I, O> = { client, input, call: this.#clock(), return: null, dropped: false };
    this.#slots.push(slot);
    let settled = false;
    const settle = (): void => {
      if (settled) throw new Error('HistoryRecorder: an operation responded twice');
      settled = true;
    };
    return {
      ok: (output) => {
        settle();
        slot.return = this.#clock();
        slot.output = (output === undefined ? null : output) as O;
        this.#stats.ok += 1;
      },
      fail: (error) => {
        settle();
        const outcome = this.#classify(error);
        if (outcome === 'not-applied') {
          slot.dropped = true;
          this.#stats.notApplied += 1;
          return outcome;
        }
        slot.error = errorCode(error) ?? String((error as Error)?.message ?? error);
        if (outcome === 'unknown') this.#stats.unknown += 1;
        else {
          this.#stats.unexpected += 1;
          this.unexpectedErrors.push(`${slot.error}: ${String((error as Error)?.stack ?? error)}`);
        }
        return outcome;
      },
    };
  }

  /** Runs `operation`, recording it; resolves or rejects as it does. */
  async record<R extends O>(client: number, input: I, operation: () => Promise<R>): Promise<R> {
    const pending = this.invoke(client, input);
    let output: R;
    try {
      output = await operation();
    } catch (error) {
      pending.fail(error);
      throw error;
    }
    pending.ok(output);
    return output;
  }

  /** The history so far; operations still awaiting a response are open-ended. */
  operations(): HistoryOperation<I, O>[] {
    return this.#slots
      .filter((slot) => !slot.dropped)
      .map((slot) => {
        const { client, input, call } = slot;
        if (slot.return === null) return { client, input, call, return: null, error: slot.error ?? 'no response' };
        return { client, input, call, return: slot.return, output: slot.output as O };
      });
  }

  get stats(): RecorderStats {
    return { ...this.#stats };
  }
}
