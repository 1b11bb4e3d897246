/**
 * Forked bench workers that run closed loops side by side: the multi-process
 * cells of a suite ("4 processes × 16 callers").
 *
 * Both ends of one small IPC protocol live here, so a suite supplies only
 * what its workers do:
 *
 * - the parent, {@link WorkerPool}: forks `count` copies of a module with a
 *   flag, sends each the suite's `init` payload and waits for `ready`; then
 *   {@link WorkerPool.run} sends every worker the same round spec with a
 *   common start time a little ahead (so they start together), and sums
 *   their measurements;
 * - the child, {@link serveAsPoolWorker}: answers `init`, `run` and `exit`
 *   with the suite's handlers, and exits when the parent goes away (a bench
 *   interrupted with Ctrl-C never leaves a worker behind).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Measurement } from './compare';
import { Histogram } from './histogram';

/** How far ahead of now the workers of a round are told to start together. */
const ROUND_LEAD_MS = 100;
/** How long a worker may take to exit after `exit` before it is killed. */
const EXIT_GRACE_MS = 2000;

type ToWorker<Init, Spec> = { type: 'init'; init: Init } | { type: 'run'; id: number; startAt: number; spec: Spec } | { type: 'exit' };

/** A worker's measurement, without the latency histogram (not sent over IPC). */
interface WorkerResult {
  type: 'result';
  id: number;
  operations: number;
  elapsedMs: number;
  cpuMicros: number;
  cpuSystemMicros: number;
  requests: number | null;
  writes: number | null;
  /** Suite-specific counts (pushes, pops, CAS failures, …). */
  counters: Record<string, number>;
  error?: string;
}
type FromWorker = { type: 'ready' } | WorkerResult;

export interface WorkerPoolOptions<Init> {
  /** The module to fork (a suite's `__filename`); it calls {@link serveAsPoolWorker} when started with `flag`. */
  readonly module: string;
  /** The command-line flag that makes `module` a worker. */
  readonly flag: string;
  readonly count: number;
  /** Sent to every worker once (addresses, ports: JSON-serialisable). */
  readonly init: Init;
  /** Names the workers in errors, e.g. "deque bench worker". */
  readonly name: string;
}

export class WorkerPool<Init, Spec> {
  readonly #children: ChildProcess[];
  readonly #name: string;
  #nextId = 0;

  private constructor(children: ChildProcess[], name: string) {
    this.#children = children;
    this.#name = name;
  }

  /** Forks the workers and waits until every one has handled `init`. */
  static async start<Init, Spec>(options: WorkerPoolOptions<Init>): Promise<WorkerPool<Init, Spec>> {
    const children = Array.from({ length: options.count }, () => fork(options.module, [options.flag], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const pool = new WorkerPool<Init, Spec>(children, options.name);
    try {
      await Promise.all(children.map((child) => pool.#request(child, { type: 'init', init: options.init }, (message) => message.type === 'ready')));
    } catch (error) {
      pool.stop();
      throw error;
    }
    return pool;
  }

  /** One round on the first `count` workers at once (they start together); their counts summed. */
  async run(spec: Spec, count = this.#children.length): Promise<PooledMeasurement> {
    const startAt = Date.now() + ROUND_LEAD_MS;
    const results = await Promise.all(
      this.#children.slice(0, count).map((child) => {
        const id = this.#nextId++;
        return this.#request(child, { type: 'run', id, startAt, spec }, (message) => message.type === 'result' && message.id === id) as Promise<WorkerResult>;
      }),
    );
    const failed = results.find((result) => result.error !== undefined);
    if (failed !== undefined) throw new Error(`a ${this.#name} failed: ${failed.error}`);
    const sum = (pick: (result: WorkerResult) => number): number => results.reduce((total, result) => total + pick(result), 0);
    const nullableSum = (pick: (result: WorkerResult) => number | null): number | null =>
      results.some((result) => pick(result) === null) ? null : sum((result) => pick(result)!);
    return {
      operations: sum((result) => result.operations),
      // The windows ran side by side: their mean length is the cell's time.
      elapsedMs: sum((result) => result.elapsedMs) / results.length,
      latency: new Histogram(),
      cpuMicros: sum((result) => result.cpuMicros),
      cpuSystemMicros: sum((result) => result.cpuSystemMicros),
      requests: nullableSum((result) => result.requests),
      writes: nullableSum((result) => result.writes),
      counters: sumCounters(results.map((result) => result.counters)),
    };
  }

  /** Asks every worker to exit; one that does not within a grace period is killed. */
  stop(): void {
    for (const child of this.#children) {
      if (child.connected) child.send({ type: 'exit' } satisfies ToWorker<Init, Spec>);
      const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
      timer.unref();
      child.once('exit', () => clearTimeout(timer));
    }
  }

  #request(child: ChildProcess, message: ToWorker<Init, Spec>, matches: (reply: FromWorker) => boolean): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: FromWorker): void => {
        if (!matches(reply)) return;
        cleanup();
        resolve(reply);
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(new Error(`a ${this.#name} exited (code ${code})`));
      };
      const cleanup = (): void => {
        child.off('message', onMessage);
        child.off('exit', onExit);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send(message);
    });
  }
}

/** A round's measurement summed over the workers, with their suite-specific counters. */
export interface PooledMeasurement extends Measurement {
  counters: Record<string, number>;
}

/** The counter a worker process reports its own operations under, so the pool's sum keeps one entry per process. */
const PROCESS_COUNTER = 'operations of process ';

/** `operations` as this process's own counter (see {@link busiestShare}). */
export function processCounter(operations: number): Record<string, number> {
  return { [`${PROCESS_COUNTER}${process.pid}`]: operations };
}

/**
 * The share of all operations that the busiest process did, from counters
 * summed over rounds (1 for one process; 1/P is even): lock-free is not
 * starvation-free, and a total can hide processes that made no progress.
 * Null when no process reported any.
 */
export function busiestShare(counters: Record<string, number>): number | null {
  const perProcess = Object.entries(counters).filter(([name]) => name.startsWith(PROCESS_COUNTER)).map(([, count]) => count);
  const total = perProcess.reduce((sum, count) => sum + count, 0);
  return total === 0 ? null : Math.max(...perProcess) / total;
}

function sumCounters(all: readonly Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const counters of all) for (const [name, value] of Object.entries(counters)) total[name] = (total[name] ?? 0) + value;
  return total;
}

/** What a worker does; every handler runs in the forked process. */
export interface PoolWorker<Init, Spec> {
  /** Connects to what `init` names; `ready` is sent when it resolves. */
  init(init: Init): Promise<void>;
  /** One measured round (the pool has already waited for the common start), with optional suite counters. */
  run(spec: Spec): Promise<Measurement & { counters?: Record<string, number> }>;
  /** Closes connections before the worker exits. */
  close(): Promise<void>;
}

/** The child side of the pool: call it from the module the pool forks, when started with the pool's flag. */
export function serveAsPoolWorker<Init, Spec>(worker: PoolWorker<Init, Spec>, name: string): void {
  process.once('disconnect', () => process.exit(0)); // the bench is gone: never linger
  process.on('message', (message: ToWorker<Init, Spec>) => {
    void (async () => {
      if (message.type === 'init') {
        await worker.init(message.init);
        process.send?.({ type: 'ready' } satisfies FromWorker);
        return;
      }
      if (message.type === 'exit') {
        await worker.close().catch(() => undefined);
        process.exit(0);
      }
      const reply: WorkerResult = { type: 'result', id: message.id, operations: 0, elapsedMs: 0, cpuMicros: 0, cpuSystemMicros: 0, requests: null, writes: null, counters: {} };
      try {
        await sleep(Math.max(0, message.startAt - Date.now()));
        const measured = await worker.run(message.spec);
        Object.assign(reply, {
          operations: measured.operations,
          elapsedMs: measured.elapsedMs,
          cpuMicros: measured.cpuMicros,
          cpuSystemMicros: measured.cpuSystemMicros,
          requests: measured.requests,
          writes: measured.writes,
          counters: measured.counters ?? {},
        });
      } catch (error) {
        reply.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
      }
      process.send?.(reply);
    })().catch((error: unknown) => {
      process.stderr.write(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
  });
}
