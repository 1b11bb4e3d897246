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
 * Redis is a local `redis-server --save '' --appendonly no` on a free port,
 * started under the harness's watchdog (it dies with this process) and
 * stopped at the end; installed with apt-get when missing and possible,
 * otherwise its column is skipped with a note. The Python original is
 * `shared/baselines/seed_deque_bench.py` (`MCC_SEED_DEQUE_BENCH` overrides
 * the path), run against the same memcached before the cells.
 *
 * This file is also the worker of the 4-process cells: forked with
 * `--deque-bench-worker`, it runs the loops it is told to over IPC
 * (`worker-pool.ts`); Redis is started by `redis-server.ts`.
 */
import { connect, Deque, type Store } from '@mcc/deque';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { compareInRounds, summarize, type Measurement, type Summary } from '../compare';
import { payload } from '../payloads';
import { redisClientVersion, startRedisIfPossible, type RedisServer } from '../redis-server';
import { formatCount, formatPerOp, formatRatio, type Table } from '../report';
import { runClosedLoop } from '../runner';
import type { Suite, SuiteContext, SuiteReport } from '../suite';
import { serveWorker, toRoundResult, WorkerPool } from '../worker-pool';

const VALUE_BYTES = 100;
const MODES = ['fifo', 'lifo'] as const;
type Mode = (typeof MODES)[number];
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

interface WorkerConnection {
  store: Store;
  redis: Redis | null;
  value: Buffer;
}

function serveDequeWorker(): void {
  serveWorker<RoundSpec, WorkerConnection>('deque bench', {
    async connect(targets) {
      const store = connect([targets.memcached]);
      await store.client.version();
      let redis: Redis | null = null;
      if (targets.redisPort !== null) {
        redis = new Redis({ host: '127.0.0.1', port: targets.redisPort, maxRetriesPerRequest: 1 });
        await redis.ping();
      }
      return { store, redis, value: payload(VALUE_BYTES) };
    },
    async round({ store, redis, value }, spec) {
      let pair: Pair;
      if (spec.subject === 'mcc') pair = mccPair(Deque.bind<Buffer>(store, spec.key), spec.mode, value);
      else if (redis !== null) pair = redisPair(redis, spec.key, spec.mode, value);
      else throw new Error('no Redis in this worker');
      return toRoundResult(await runRound(pair, spec, spec.subject === 'mcc' ? store : null));
    },
    async close({ store, redis }) {
      await Promise.allSettled([store.close(), redis?.quit()]);
    },
  });
}

// ---------------------------------------------------------------- the Python original

interface SeedResult {
  single: number;
  fourProcesses: number;
  /** The seed's own loss/duplicate check of its 4-process run. */
  check: string;
  /** Runs of the script that crashed before printing both figures (see SEED_ATTEMPTS). */
  crashes: string[];
}

/**
 * Tries of the seed script. Its 4-process part often crashes (about half the
 * runs here): a writer re-loads its own new node after the anchor CAS
 * (seed_deque.py, `push`), a concurrent popleft may already have deleted it,
 * and `Missing` is raised; the script's parent then waits forever for that
 * writer's result. A crashed run is cut short and run again, within a budget.
 */
const SEED_ATTEMPTS = 8;
const SEED_BUDGET_MS = 75_000;

function seedScript(): string | null {
  const candidates = [
    process.env['MCC_SEED_DEQUE_BENCH'],
    // <repo>/tools/bench/dist/suites → <repo>/../shared/baselines (shared/ sits beside the repository)
    path.resolve(__dirname, '..', '..', '..', '..', '..', 'shared', 'baselines', 'seed_deque_bench.py'),
  ];
  return candidates.find((candidate): candidate is string => candidate !== undefined && existsSync(candidate)) ?? null;
}

interface SeedRun {
  single: number | null;
  multi: { ops: number; check: string } | null;
  /** Why the run ended without both figures. */
  failure: string | null;
}

/**
 * One run of the seed script in its own process group, ended early (whole
 * group) once a traceback shows a crashed process, or at a time limit.
 */
function runSeedOnce(script: string, server: string, seconds: number, signal: AbortSignal): Promise<SeedRun> {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  return new Promise((resolve) => {
    const child = spawn(python, [script, server, String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let failure: string | null = null;
    const killGroup = (why: string): void => {
      failure ??= why;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const limit = setTimeout(() => killGroup(`no result within ${3 * seconds + 20} s`), (3 * seconds + 20) * 1000);
    // Never leave the group behind: not on Ctrl-C, not if this process exits first.
    const onAbort = (): void => killGroup('interrupted');
    const onExit = (): void => killGroup('exiting');
    signal.addEventListener('abort', onAbort, { once: true });
    process.once('exit', onExit);
    let crashTimer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // A crashed writer or reader: its result never comes. Let the traceback finish, then end the group.
      if (crashTimer === undefined && stderr.includes('Traceback')) {
        crashTimer = setTimeout(() => killGroup(`crashed: ${stderr.trim().split('\n').at(-1) ?? ''}`), 300);
      }
    });
    const settle = (code: number | null): void => {
      clearTimeout(limit);
      signal.removeEventListener('abort', onAbort);
      process.off('exit', onExit);
      clearTimeout(crashTimer);
      const single = /seed single-process ops\/s (\d+)/.exec(stdout);
      const multi = /seed 4-process ops\/s (\d+) \(([^)]*)\)/.exec(stdout);
      if (failure === null && (single === null || multi === null)) failure = `exited with code ${code}: ${(stderr.trim() || stdout.trim()).split('\n').at(-1) ?? ''}`;
      resolve({ single: single === null ? null : Number(single[1]), multi: multi === null ? null : { ops: Number(multi[1]), check: multi[2]! }, failure });
    };
    child.on('error', (error) => {
      failure ??= error.message;
      settle(null);
    });
    child.on('close', settle);
  });
}

async function runSeed(script: string, server: string, seconds: number, signal: AbortSignal): Promise<SeedResult> {
  const crashes: string[] = [];
  let single: number | null = null;
  const giveUpAt = Date.now() + SEED_BUDGET_MS;
  for (let attempt = 1; attempt <= SEED_ATTEMPTS && Date.now() < giveUpAt; attempt++) {
    signal.throwIfAborted();
    const result = await runSeedOnce(script, server, seconds, signal);
    single ??= result.single; // printed before the 4-process part starts
    if (result.multi !== null && single !== null) return { single, fourProcesses: result.multi.ops, check: result.multi.check, crashes };
    crashes.push(result.failure ?? 'no figures');
  }
  throw new Error(`${path.basename(script)} did not finish in ${crashes.length} tries: ${crashes.join('; ')}`);
}

// ---------------------------------------------------------------- the suite

export interface CellResult {
  mode: Mode;
  config: string;
  processes: number;
  callers: number;
  mcc: Summary;
  redis: Summary | null;
}

export interface TargetResult {
  name: string;
  requirement: string;
  measured: number | null;
  threshold: number | null;
  /** null when a baseline is missing. */
  pass: boolean | null;
}

function describeSubjects(redis: RedisServer | null): { name: SubjectName }[] {
  return redis === null ? [{ name: 'mcc' }] : [{ name: 'mcc' }, { name: 'redis' }];
}

async function measureCell(
  context: SuiteContext,
  cellIndex: number,
  mode: Mode,
  config: Config,
  resources: { store: Store; redis: Redis | null; redisServer: RedisServer | null; pool: WorkerPool<RoundSpec> | null; value: Buffer },
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

function cellTable(cells: readonly CellResult[], seed: SeedResult | null): Table {
  return {
    title: `Push + pop closed loops, ${VALUE_BYTES} B values, one memcached / one redis-server (ops/s = pushes + pops per second)`,
    columns: [
      { header: 'use', align: 'left' }, { header: 'callers', align: 'left' }, { header: 'mcc ops/s' }, { header: 'RT/op' },
      { header: 'mcc CPU µs/op' }, { header: 'Redis ops/s' }, { header: 'mcc/Redis' }, { header: 'seed ops/s' },
    ],
    rows: cells.map((cell) => {
      let seedFigure = '–';
      if (seed !== null && cell.mode === 'fifo' && cell.processes === 1 && cell.callers === 1) seedFigure = `${formatCount(seed.single)} (1 process)`;
      if (seed !== null && cell.mode === 'fifo' && cell.processes === 4) seedFigure = `${formatCount(seed.fourProcesses)} (4 processes)`;
      return [
        cell.mode === 'fifo' ? 'FIFO' : 'LIFO',
        cell.config,
        formatCount(cell.mcc.opsPerSecond),
        formatPerOp(cell.mcc.writesPerOp),
        cell.mcc.cpuUsPerOp.toFixed(1),
        cell.redis === null ? 'skipped' : formatCount(cell.redis.opsPerSecond),
        cell.redis === null ? '–' : formatRatio(cell.mcc.opsPerSecond / cell.redis.opsPerSecond),
        seedFigure,
      ];
    }),
  };
}

function evaluateTargets(cells: readonly CellResult[], seed: SeedResult | null): TargetResult[] {
  const fifo = (processes: number, callers: number): CellResult => cells.find((cell) => cell.mode === 'fifo' && cell.processes === processes && cell.callers === callers)!;
  const target = (name: string, requirement: string, measured: number, threshold: number | null): TargetResult => ({
    name,
    requirement,
    measured,
    threshold,
    pass: threshold === null ? null : measured >= threshold,
  });
  const redis64 = fifo(1, 64).redis;
  return [
    target('(a)', "4 processes × 16 callers ≥ 10 × the seed's 4-process figure", fifo(4, 16).mcc.opsPerSecond, seed === null ? null : 10 * seed.fourProcesses),
    target('(b)', '64 callers in one process ≥ 1/3 of the Redis list at 64 in flight', fifo(1, 64).mcc.opsPerSecond, redis64 === null ? null : redis64.opsPerSecond / 3),
    target('(c)', "1 caller ≥ the seed's single-process figure", fifo(1, 1).mcc.opsPerSecond, seed === null ? null : seed.single),
  ];
}

function targetTable(targets: readonly TargetResult[]): Table {
  return {
    title: 'Targets (FIFO rows: the seed benchmark is append + popleft)',
    columns: [{ header: 'target', align: 'left' }, { header: 'requirement', align: 'left' }, { header: 'mcc ops/s' }, { header: 'needed' }, { header: 'verdict', align: 'left' }],
    rows: targets.map((t) => [
      t.name,
      t.requirement,
      formatCount(t.measured ?? NaN),
      t.threshold === null ? '–' : formatCount(t.threshold),
      t.pass === null ? 'not evaluated (baseline missing)' : t.pass ? `PASS (${formatRatio((t.measured ?? 0) / t.threshold!)} of needed)` : `FAIL (${formatRatio((t.measured ?? 0) / t.threshold!)} of needed)`,
    ]),
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
  let pool: WorkerPool<RoundSpec> | null = null;
  try {
    if (redisServer !== null) {
      redis = new Redis({ host: '127.0.0.1', port: redisServer.port, maxRetriesPerRequest: 1 });
      await redis.ping();
    }
    await store.client.version();
    pool = await WorkerPool.start<RoundSpec>(__filename, WORKER_FLAG, 4, { memcached, redisPort: redisServer?.port ?? null });
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
      tables: [cellTable(cells, seed), targetTable(targets)],
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

if (require.main === module && process.argv[2] === WORKER_FLAG) serveDequeWorker();
