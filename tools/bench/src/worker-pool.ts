/**
 * Forked benchmark processes, driven over IPC: the multi-process cells of
 * the deque and scale suites.
 *
 * A suite file is also its own worker: the bench forks it with a flag, the
 * child calls {@link serveWorker} with how to connect and how to run one
 * round, and the parent's {@link WorkerPool} starts rounds on some or all
 * children at once (a shared start time) and sums what they measured.
 * Children exit when told to or when the parent goes away, never lingering.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Measurement } from './compare';
import { Histogram } from './histogram';

/** Where the children connect. */
export interface PoolTargets {
  readonly memcached: string;
  readonly redisPort: number | null;
}

/** One child's round, as sent over IPC (no histogram: latency stays per process). */
export interface RoundResult {
  operations: number;
  elapsedMs: number;
  cpuMicros: number;
  cpuSystemMicros: number;
  requests: number | null;
  writes: number | null;
  /** Suite-specific counts (pushes, pops, CAS failures, …), summed over the children. */
  counters: Record<string, number>;
}

type ToWorker<Spec> = { type: 'init'; targets: PoolTargets } | { type: 'run'; id: number; startAt: number; spec: Spec } | { type: 'exit' };
type FromWorker = { type: 'ready' } | { type: 'result'; id: number; result?: RoundResult; error?: string };

/** How far ahead of now the children of a round are told to start together. */
const ROUND_LEAD_MS = 100;

export interface PooledMeasurement extends Measurement {
  counters: Record<string, number>;
}

export class WorkerPool<Spec> {
  readonly #children: ChildProcess[];
  #nextId = 0;

  private constructor(children: ChildProcess[]) {
    this.#children = children;
  }

  /** Forks `count` copies of `script` with `flag` and connects them to `targets`. */
  static async start<Spec>(script: string, flag: string, count: number, targets: PoolTargets): Promise<WorkerPool<Spec>> {
    const children = Array.from({ length: count }, () => fork(script, [flag], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    const pool = new WorkerPool<Spec>(children);
    try {
      await Promise.all(children.map((child) => pool.#request(child, { type: 'init', targets }, (message) => message.type === 'ready')));
    } catch (error) {
      pool.stop();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.#children.length;
  }

  /** One round on the first `count` children at once; their counts summed. */
  async run(spec: Spec, count = this.#children.length): Promise<PooledMeasurement> {
    const startAt = Date.now() + ROUND_LEAD_MS;
    const replies = await Promise.all(
      this.#children.slice(0, count).map((child) => {
        const id = this.#nextId++;
        return this.#request(child, { type: 'run', id, startAt, spec }, (message) => message.type === 'result' && message.id === id) as Promise<Extract<FromWorker, { type: 'result' }>>;
      }),
    );
    const failed = replies.find((reply) => reply.error !== undefined);
    if (failed !== undefined) throw new Error(`a bench worker failed: ${failed.error}`);
    const results = replies.map((reply) => reply.result!);
    const sum = (pick: (result: RoundResult) => number): number => results.reduce((total, result) => total + pick(result), 0);
    const nullableSum = (pick: (result: RoundResult) => number | null): number | null =>
      results.some((result) => pick(result) === null) ? null : sum((result) => pick(result)!);
    const counters: Record<string, number> = {};
    for (const result of results) for (const [name, value] of Object.entries(result.counters)) counters[name] = (counters[name] ?? 0) + value;
    return {
      operations: sum((result) => result.operations),
      // The windows ran side by side: their mean length is the cell's time.
      elapsedMs: sum((result) => result.elapsedMs) / results.length,
      latency: new Histogram(),
      cpuMicros: sum((result) => result.cpuMicros),
      cpuSystemMicros: sum((result) => result.cpuSystemMicros),
      requests: nullableSum((result) => result.requests),
      writes: nullableSum((result) => result.writes),
      counters,
    };
  }

  stop(): void {
    for (const child of this.#children) {
      if (child.connected) child.send({ type: 'exit' } satisfies ToWorker<Spec>);
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      timer.unref();
      child.once('exit', () => clearTimeout(timer));
    }
  }

  #request(child: ChildProcess, message: ToWorker<Spec>, matches: (reply: FromWorker) => boolean): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: FromWorker): void => {
        if (!matches(reply)) return;
        cleanup();
        resolve(reply);
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(new Error(`a bench worker exited (code ${code})`));
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

/** What a worker process does: connect once, run rounds, close. */
export interface WorkerHandlers<Spec, Connection> {
  connect(targets: PoolTargets): Promise<Connection>;
  round(connection: Connection, spec: Spec): Promise<RoundResult>;
  close(connection: Connection): Promise<void>;
}

/** The child side: answers the pool's messages until told to exit (or orphaned). */
export function serveWorker<Spec, Connection>(name: string, handlers: WorkerHandlers<Spec, Connection>): void {
  let connection: Connection | undefined;
  process.once('disconnect', () => process.exit(0)); // the bench is gone: never linger
  process.on('message', (message: ToWorker<Spec>) => {
    void (async () => {
      if (message.type === 'init') {
        connection = await handlers.connect(message.targets);
        process.send?.({ type: 'ready' } satisfies FromWorker);
        return;
      }
      if (message.type === 'exit') {
        if (connection !== undefined) await handlers.close(connection).catch(() => undefined);
        process.exit(0);
      }
      const reply: FromWorker = { type: 'result', id: message.id };
      try {
        await sleep(Math.max(0, message.startAt - Date.now()));
        reply.result = await handlers.round(connection!, message.spec);
      } catch (error) {
        reply.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
      }
      process.send?.(reply);
    })().catch((error: unknown) => {
      process.stderr.write(`${name} worker: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
  });
}

/** A local measurement as a round result (the latency histogram stays here). */
export function toRoundResult(measurement: Measurement, counters: Record<string, number> = {}): RoundResult {
  const { operations, elapsedMs, cpuMicros, cpuSystemMicros, requests, writes } = measurement;
  return { operations, elapsedMs, cpuMicros, cpuSystemMicros, requests, writes, counters };
}
