/**
 * Deque suite: @mcc/deque throughput and round trips against a Redis list
 * (ioredis) and the original Python deque, in one run.
 *
 * The pattern, identical for every subject: closed loops where each caller
 * pushes one 100 B value onto the right end and then pops one — from the left
 * (FIFO: `append` + `popLeft`, `RPUSH` + `LPOP`) or from the right (LIFO:
 * `append` + `pop`, `RPUSH` + `RPOP`) — and starts again as soon as its pop
 * returned. An operation is one push or one pop. Because every caller's pop
 * follows its own push, the deque is never empty when a pop lands: a pop that
 * finds it empty fails the run, and so does a popped value that is not the
 * 100 bytes pushed. Each cell ends with an empty deque and an empty list
 * (checked).
 *
 * Configurations: 1, 8 and 64 concurrent callers in this process (one client:
 * mcc combines the callers' calls into shared anchor CASes, ioredis pipelines
 * them on its one connection), and 4 forked processes × 16 callers on one
 * deque / one list (each process has its own client). mcc and Redis alternate
 * in rounds within each cell (`compareInRounds`).
 *
 * Round trips per op = `client.metrics.writes` (socket flushes; one server,
 * so one flush is one round trip) / operations.
 *
 * Redis is a local redis-server started for the run (`../redis-server.ts`;
 * its column is skipped with a note when it cannot be had). The Python
 * original (`../python-baseline.ts`) runs against the same memcached before
 * the cells. Tables and targets: `../deque-report.ts`.
 *
 * This file is also the worker of the 4-process cells (`../worker-pool.ts`):
 * forked with `--deque-bench-worker`, it runs the loops it is told to.
 */
import { connect, Deque, type Store } from '@mcc/deque';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { compareInRounds, summarize, type Measurement } from '../compare';
import { cellTable, evaluateTargets, targetTable, type CellResult, type DequeMode } from '../deque-report';
import { payload } from '../payloads';
import { runSeed, seedScript, type SeedResult } from '../python-baseline';
import { redisClientVersion, startRedisIfPossible, type RedisServer } from '../redis-server';
import { formatCount } from '../report';
import { runClosedLoop } from '../runner';
import type { Suite, SuiteContext, SuiteReport } from '../suite';
import { serveAsPoolWorker, WorkerPool } from '../worker-pool';

const VALUE_BYTES = 100;
const MODES = ['fifo', 'lifo'] as const satisfies readonly DequeMode[];
type Mode = DequeMode;
type SubjectName = 'mcc' | 'redis';

interface Config {
  readonly label: string;
  readonly processes: number;
  readonly callers: number;
}
const CONFIGS: readonly Config[] = [
  { label: '1 caller', processes: 1, callers: 1 },
  { label: '8 callers', processes: 1, callers: 8 },
  { label: '64 callers', processes: 1, callers: 64 },
  { label: '4 processes × 16', processes: 4, callers: 16 },
];
const WORKER_FLAG = '--deque-bench-worker';

// ---------------------------------------------------------------- the pattern

/** One closed-loop step of one caller: push a value, then pop one (checked). */
type Pair = () => Promise<void>;

function checkPopped(subject: SubjectName, popped: unknown): void {
  if (popped === undefined || popped === null) throw new Error(`${subject}: a pop found the list empty, though every pop follows its caller's own push`);
  if (!(popped instanceof Uint8Array) || popped.length !== VALUE_BYTES) throw new Error(`${subject}: popped something other than the ${VALUE_BYTES} B pushed`);
}

function mccPair(deque: Deque<Buffer>, mode: Mode, value: Buffer): Pair {
  return async () => {
    await deque.append(value);
    checkPopped('mcc', mode === 'fifo' ? await deque.popLeft() : await deque.pop());
  };
}

function redisPair(redis: Redis, key: string, mode: Mode, value: Buffer): Pair {
  return async () => {
    await redis.rpush(key, value);
    checkPopped('redis', mode === 'fifo' ? await redis.lpopBuffer(key) : await redis.rpopBuffer(key));
  };
}

interface RoundSpec {
  readonly subject: SubjectName;
  readonly mode: Mode;
  readonly callers: number;
  /** The deque's name or the list's key. */
  readonly key: string;
  readonly warmupMs: number;
  readonly durationMs: number;
}

/** Runs one round in this process; counters from `store` when it is mcc's. */
async function runRound(pair: Pair, spec: RoundSpec, store: Store | null, signal?: AbortSignal): Promise<Measurement> {
  const window = { requests: 0, writes: 0 };
  const result = await runClosedLoop(pair, {
    concurrency: spec.callers,
    warmupMs: spec.warmupMs,
    durationMs: spec.durationMs,
    ...(signal === undefined ? {} : { signal }),
    onWindowStart: () => {
      if (store === null) return;
      window.requests = store.client.metrics.requests;
      window.writes = store.client.metrics.writes;
    },
    onWindowEnd: () => {
      if (store === null) return;
      window.requests = store.client.metrics.requests - window.requests;
      window.writes = store.client.metrics.writes - window.writes;
    },
  });
  // One pair is two operations; the latency histogram stays per pair.
  return { ...result, operations: 2 * result.operations, requests: store === null ? null : window.requests, writes: store === null ? null : window.writes };
}

// ---------------------------------------------------------------- workers (4 processes × 16)

interface WorkerInit {
  readonly memcached: string;
  readonly redisPort: number | null;
}
type DequePool = WorkerPool<WorkerInit, RoundSpec>;

/** The forked side: one client of each kind, the rounds it is sent. */
function workerMain(): void {
  let store: Store | null = null;
  let redis: Redis | null = null;
  const value = payload(VALUE_BYTES);
  serveAsPoolWorker<WorkerInit, RoundSpec>(
    {
      async init({ memcached, redisPort }) {
        store = connect([memcached]);
        await store.client.version();
        if (redisPort !== null) {
          redis = new Redis({ host: '127.0.0.1', port: redisPort, maxRetriesPerRequest: 1 });
          await redis.ping();
        }
      },
      run(spec) {
        let pair: Pair;
        if (spec.subject === 'mcc') pair = mccPair(Deque.bind<Buffer>(store!, spec.key), spec.mode, value);
        else if (redis !== null) pair = redisPair(redis, spec.key, spec.mode, value);
        else throw new Error('no Redis in this worker');
        return runRound(pair, spec, spec.subject === 'mcc' ? store : null);
      },
      async close() {
        await Promise.allSettled([store?.close(), redis?.quit()]);
      },
    },
    'deque bench worker',
  );
}

// ---------------------------------------------------------------- the suite

function describeSubjects(redis: RedisServer | null): { name: SubjectName }[] {
  return redis === null ? [{ name: 'mcc' }] : [{ name: 'mcc' }, { name: 'redis' }];
}

async function measureCell(
  context: SuiteContext,
  cellIndex: number,
  mode: Mode,
  config: Config,
  resources: { store: Store; redis: Redis | null; redisServer: RedisServer | null; pool: DequePool | null; value: Buffer },
): Promise<CellResult> {
  const { store, redis, pool, value } = resources;
  const stamp = `${Date.now().toString(36)}-${cellIndex}`;
  const deque = await Deque.create<Buffer>(store, `bench-deque-${mode}-${config.processes}x${config.callers}-${stamp}`);
  const listKey = `bench:deque:${mode}:${config.processes}x${config.callers}:${stamp}`;
  const measured = await compareInRounds(describeSubjects(resources.redisServer), cellIndex, context.settings, async (subject, durationMs) => {
    const spec: RoundSpec = {
      subject: subject.name,
      mode,
      callers: config.callers,
      key: subject.name === 'mcc' ? deque.name : listKey,
      warmupMs: context.settings.warmupSeconds * 1000,
      durationMs,
    };
    if (config.processes > 1) {
      context.signal.throwIfAborted();
      return pool!.run(spec);
    }
    const pair = subject.name === 'mcc' ? mccPair(deque, mode, value) : redisPair(redis!, listKey, mode, value);
    return runRound(pair, spec, subject.name === 'mcc' ? store : null, context.signal);
  });
  // Every caller popped after its own push and the loops end after a pop: both must be empty.
  const left = await deque.length();
  if (left !== 0) throw new Error(`mcc: the deque holds ${left} value(s) after the cell, expected 0`);
  if (redis !== null) {
    const listLeft = await redis.llen(listKey);
    if (listLeft !== 0) throw new Error(`redis: the list holds ${listLeft} value(s) after the cell, expected 0`);
  }
  await deque.destroy();
  const redisMeasured = measured.get('redis');
  return {
    mode,
    config: config.label,
    processes: config.processes,
    callers: config.callers,
    mcc: summarize(measured.get('mcc')!),
    redis: redisMeasured === undefined ? null : summarize(redisMeasured),
  };
}

async function run(context: SuiteContext): Promise<SuiteReport> {
  const memcached = context.servers[0]!;
  const loadBefore = os.loadavg()[0]!;
  const notes: string[] = [];

  // The Python original first, alone on the machine.
  let seed: SeedResult | null = null;
  const script = seedScript();
  if (script === null) notes.push('Seed (Python original) skipped: shared/baselines/seed_deque_bench.py not found (set MCC_SEED_DEQUE_BENCH).');
  else {
    context.progress(`the Python original: ${path.basename(script)} ${memcached} ${context.settings.seconds}`);
    try {
      seed = await runSeed(script, memcached, context.settings.seconds, context.signal);
      if (seed.crashes.length > 0) context.progress(`the Python original crashed ${seed.crashes.length} time(s) before a complete run`);
    } catch (error) {
      notes.push(`Seed (Python original) failed, its figures are missing: ${(error as Error).message}`);
    }
  }
  context.signal.throwIfAborted();

  const redisServer = await startRedisIfPossible(context.progress, notes);
  const store = connect([memcached]);
  let redis: Redis | null = null;
  let pool: DequePool | null = null;
  try {
    if (redisServer !== null) {
      redis = new Redis({ host: '127.0.0.1', port: redisServer.port, maxRetriesPerRequest: 1 });
      await redis.ping();
    }
    await store.client.version();
    pool = await WorkerPool.start<WorkerInit, RoundSpec>({ module: __filename, flag: WORKER_FLAG, count: 4, init: { memcached, redisPort: redisServer?.port ?? null }, name: 'deque bench worker' });
    const value = payload(VALUE_BYTES);
    const cells: CellResult[] = [];
    let cellIndex = 0;
    for (const mode of MODES) {
      for (const config of CONFIGS) {
        context.progress(`${mode.toUpperCase()}, ${config.label}`);
        cells.push(await measureCell(context, cellIndex++, mode, config, { store, redis, redisServer, pool, value }));
      }
    }
    const targets = evaluateTargets(cells, seed);
    const loadAfter = os.loadavg()[0]!;
    if (seed !== null) notes.push(`Seed (Python original, ${path.basename(script!)}, same memcached, ${context.settings.seconds} s): single process ${formatCount(seed.single)} ops/s (append + popleft alternating); 2 appending + 2 popleft processes ${formatCount(seed.fourProcesses)} ops/s (${seed.check})${seed.crashes.length === 0 ? '' : `; it took ${seed.crashes.length + 1} runs: the 4-process part of ${seed.crashes.length} crashed (${[...new Set(seed.crashes.map((crash) => crash.replace(/: [0-9a-f]{32}$/, '')))].join('; ')}) — a race in seed_deque.py's push, which re-loads its new node after a popleft may have deleted it`}.`);
    notes.push(
      ...targets.map((t) => `Target ${t.name} ${t.requirement}: ${formatCount(t.measured ?? NaN)} vs ${t.threshold === null ? 'no baseline' : formatCount(t.threshold)} → ${t.pass === null ? 'not evaluated' : t.pass ? 'PASS' : 'FAIL'}.`),
      `Pattern: every caller pushes ${VALUE_BYTES} B onto the right, then pops (left for FIFO, right for LIFO), in a closed loop; an op is one push or one pop. mcc: append + popLeft/pop; Redis: RPUSH + LPOP/RPOP through one ioredis ${redisClientVersion()} connection per process (default options). Pops never find the deque empty (checked), and it ends empty.`,
      'RT/op = mcc client socket writes / ops (one server: a write is a round trip); "4 processes × 16": forked workers on one deque, their counts summed. CPU µs/op is the client processes\' user + system CPU per op (memcached\'s and redis-server\'s own CPU not included).',
      `Node ${process.version}; ${os.cpus().length} CPUs; ${context.settings.seconds} s per subject and cell in ${context.settings.rounds} alternating rounds (${context.settings.warmupSeconds} s warm-up each); ${redisServer === null ? 'no Redis' : `redis-server ${redisServer.version} (--save '' --appendonly no)`}; 1-minute load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after.`,
    );
    return {
      suite: 'deque',
      title: 'Deque: @mcc/deque vs a Redis list vs the Python original',
      tables: [cellTable(cells, seed, VALUE_BYTES), targetTable(targets)],
      notes,
      results: { settings: context.settings, valueBytes: VALUE_BYTES, seed, redisVersion: redisServer?.version ?? null, cells, targets },
    };
  } finally {
    pool?.stop();
    await Promise.allSettled([store.close(), redis?.quit()]);
    await redisServer?.stop();
  }
}

export const suite: Suite = {
  name: 'deque',
  description: "@mcc/deque push+pop ops/s and round trips (1, 8, 64 callers; 4 processes × 16) vs a Redis list and the Python original; targets checked",
  servers: 1,
  memcached: { evictions: false },
  run,
};

if (require.main === module && process.argv[2] === WORKER_FLAG) workerMain();
