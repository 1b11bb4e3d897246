/**
 * Timed closed loops: the measuring core every suite uses.
 *
 * A closed loop keeps exactly `concurrency` operations outstanding: each of
 * `concurrency` async workers starts its next operation as soon as its last
 * one settled. That is how an application's request handlers load a client,
 * and unlike an open loop (fixed arrival rate) it cannot queue up unbounded
 * work when the client is slower than the offered rate.
 *
 * The workers run through a warm-up (JIT, connection setup, memcached's slab
 * allocation) without recording, then through the measured window. Only
 * operations that complete inside the window count, and the window's length
 * is its real elapsed time, so a slow tail after the stop signal cannot
 * inflate ops/s.
 */
import { performance } from 'node:perf_hooks';
import { Histogram } from './histogram';

/** One operation; `sequence` counts from 0 per loop run, across all workers. */
export type Operation = (sequence: number) => Promise<unknown>;

export interface LoopOptions {
  /** Operations kept outstanding (1 = sequential: start, await, repeat). */
  concurrency: number;
  /** Unrecorded time before the measured window, in milliseconds. */
  warmupMs: number;
  /** Length of the measured window, in milliseconds. */
  durationMs: number;
  /** Called at the start and end of the measured window (e.g. to snapshot client counters). */
  onWindowStart?: () => void;
  onWindowEnd?: () => void;
  /** Stops the loop early (Ctrl-C); the run then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface LoopResult {
  /** Operations completed inside the measured window. */
  operations: number;
  /** Real length of the measured window, in milliseconds. */
  elapsedMs: number;
  /** Latency of every operation completed inside the window, call to settle, in nanoseconds. */
  latency: Histogram;
  /** Process CPU time (user + system) spent during the window, in microseconds. */
  cpuMicros: number;
  /** The system (kernel) part of {@link cpuMicros}: socket syscalls, mostly. */
  cpuSystemMicros: number;
}

type Phase = 'warmup' | 'measure' | 'stop';

/**
 * Runs `operation` in a closed loop and measures it.
 *
 * @throws the first error an operation throws (a benchmark that silently
 *   counted failures as fast operations would lie), or the abort reason.
 */
export async function runClosedLoop(operation: Operation, options: LoopOptions): Promise<LoopResult> {
  const { concurrency, warmupMs, durationMs, signal } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  signal?.throwIfAborted();

  const latency = new Histogram();
  let phase: Phase = 'warmup';
  let sequence = 0;
  let operations = 0;
  let windowStart = 0;
  let windowEnd = 0;
  let cpuStart = process.cpuUsage();
  let cpuMicros = 0;
  let cpuSystemMicros = 0;
  let failure: unknown = null;
  let measureTimer: NodeJS.Timeout | undefined;

  const stop = (): void => {
    if (phase === 'stop') return;
    // An abort during warm-up leaves an empty window; the caller rethrows anyway.
    windowEnd = performance.now();
    if (phase === 'measure') {
      const cpu = process.cpuUsage(cpuStart);
      cpuMicros = cpu.user + cpu.system;
      cpuSystemMicros = cpu.system;
      options.onWindowEnd?.();
    }
    phase = 'stop';
  };
  const startWindow = (): void => {
    if (phase !== 'warmup') return;
    options.onWindowStart?.();
    phase = 'measure';
    cpuStart = process.cpuUsage();
    windowStart = performance.now();
    measureTimer = setTimeout(stop, durationMs);
  };

  const warmupTimer = setTimeout(startWindow, warmupMs);
  const onAbort = (): void => stop();
  signal?.addEventListener('abort', onAbort, { once: true });

  const worker = async (): Promise<void> => {
    while (phase !== 'stop') {
      const started = performance.now();
      try {
        await operation(sequence++);
      } catch (error) {
        if (failure === null) failure = error;
        stop();
        return;
      }
      const finished = performance.now();
      // Counted by completion time: in steady state that is the throughput,
      // and the phase is read after the await because the window may have
      // opened or closed meanwhile.
      if (phase === 'measure') {
        operations++;
        latency.record((finished - started) * 1e6);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    clearTimeout(warmupTimer);
    clearTimeout(measureTimer);
    signal?.removeEventListener('abort', onAbort);
  }
  if (failure !== null) throw failure;
  signal?.throwIfAborted();
  return { operations, elapsedMs: windowEnd - windowStart, latency, cpuMicros, cpuSystemMicros };
}
