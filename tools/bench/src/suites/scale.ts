/**
 * Scale suite: many processes, one deque — does throughput grow with
 * processes or collapse? (issue 10)
 *
 * Deque cells: P ∈ {1, 2, 4, 8, 16} forked processes × 1 or 4 callers each,
 * every caller alternating `append` + `popLeft` of 100 B values on one deque
 * on one memcached; beside it a Redis list (ioredis RPUSH + LPOP) from the
 * same processes, alternating in rounds. Each cell runs on loopback and with
 * 0.25 ms added per direction (a datacenter round trip) by the harness's
 * fault proxy, which then sits in front of memcached *and* Redis.
 * MCAS cells: P ∈ {1, 4, 16} processes × 1 loop of `mcasUpdate` increments
 * of 5 random counters out of 100 or 10.
 *
 * Per cell: ops/s, round trips per op (socket writes of the clients), anchor
 * CAS failures per op (the deque's counters), and conservation checked after
 * the cell — pushed = popped + left for the deque and the list, counters sum
 * = applied × 5 for MCAS. `--cells` picks cells by tags (deque|mcas, p1…p16,
 * c1|c4, loopback|delay, direct|combine, l100|l10); `--seconds`/`--rounds` set the length.
 * Deque cells run twice: `direct` (CASes only) and `combine` (cross-process
 * combining on, DequeOptions.combine), each against Redis in the same cell.
 */
import { connect, Deque, type Store } from '@mcc/deque';
import { FaultProxy } from '@mcc/harness';
import { mcasGetMulti } from '@mcc/mcas';
import * as os from 'node:os';
import Redis from 'ioredis';
import { cellSelected } from '../cli-args';
import { compareInRounds, summarize, type Summary } from '../compare';
import { formatCount, formatPerOp, formatRatio, type Table } from '../report';
import { startRedisIfPossible, type RedisServer } from '../redis-server';
import { closeScale, connectScale, runScaleRound, type PoolTargets, type ScaleConnection, type ScaleSpec } from '../scale-loops';
import type { Suite, SuiteContext, SuiteReport } from '../suite';
import { busiestShare, serveAsPoolWorker, WorkerPool } from '../worker-pool';

const PROCESSES = [1, 2, 4, 8, 16] as const;
const CALLERS = [1, 4] as const;
const LATENCIES = [
  { tag: 'loopback', label: 'loopback', delayMs: 0 },
  { tag: 'delay', label: '+0.25 ms each way', delayMs: 0.25 },
] as const;
/** The deque with direct CASes only, and with cross-process combining (DequeOptions.combine). */
const MODES = [
  { tag: 'direct', combine: false },
  { tag: 'combine', combine: true },
] as const;
const MCAS_PROCESSES = [1, 4, 16] as const;
const MCAS_LOCATIONS = [100, 10] as const;
const MCAS_PER = 5;
const WORKER_FLAG = '--scale-bench-worker';

type Latency = (typeof LATENCIES)[number];

interface DequeCell {
  latency: string;
  mode: string;
  processes: number;
  callers: number;
  mcc: Summary;
  redis: Summary | null;
  casFailuresPerOp: number;
  /** Share of the ops that were announced, and announced ops applied per anchor CAS (combining). */
  announcedShare: number;
  combinedPerCas: number;
  /** The busiest process's share of the cell's operations (busiestShare), mcc and Redis. */
  busiest: { mcc: number | null; redis: number | null };
  conservation: string;
}

interface McasCell {
  processes: number;
  locations: number;
  mcas: Summary;
  retriesPerMcas: number;
  busiest: number | null;
  conservation: string;
}

interface Resources {
  readonly store: Store;
  readonly redis: Redis | null;
  readonly pool: WorkerPool<PoolTargets, ScaleSpec>;
}

const addCounts = (into: Record<string, number>, from: Record<string, number>): void => {
  for (const [name, value] of Object.entries(from)) into[name] = (into[name] ?? 0) + value;
};

async function measureDeque(context: SuiteContext, index: number, latency: Latency, mode: (typeof MODES)[number], processes: number, callers: number, resources: Resources): Promise<DequeCell> {
  const { store, redis, pool } = resources;
  const stamp = `${Date.now().toString(36)}-${index}`;
  const deque = await Deque.create<Buffer>(store, `bench-scale-${processes}x${callers}-${stamp}`);
  const listKey = `bench:scale:${processes}x${callers}:${stamp}`;
  const counts: Record<string, Record<string, number>> = { mcc: {}, redis: {} };
  const subjects = redis === null ? [{ name: 'mcc' as const }] : [{ name: 'mcc' as const }, { name: 'redis' as const }];
  const measured = await compareInRounds(subjects, index, context.settings, async (subject, durationMs) => {
    context.signal.throwIfAborted();
    const key = subject.name === 'mcc' ? deque.name : listKey;
    const result = await pool.run({ subject: subject.name, key, callers, warmupMs: context.settings.warmupSeconds * 1000, durationMs, combine: mode.combine }, processes);
    addCounts(counts[subject.name]!, result.counters);
    return result;
  });
  // Conservation: everything pushed was popped or is still there.
  const problems: string[] = [];
  const left = await deque.length();
  const mcc = counts['mcc']!;
  if (mcc['pushed'] !== (mcc['popped'] ?? 0) + left) problems.push(`mcc pushed ${mcc['pushed']} ≠ popped ${mcc['popped']} + left ${left}`);
  if (redis !== null) {
    const listLeft = await redis.llen(listKey);
    const r = counts['redis']!;
    if (r['pushed'] !== (r['popped'] ?? 0) + listLeft) problems.push(`redis pushed ${r['pushed']} ≠ popped ${r['popped']} + left ${listLeft}`);
    await redis.del(listKey);
  }
  if (problems.length > 0) throw new Error(`conservation violated (${latency.label}, ${processes} × ${callers}): ${problems.join('; ')}`);
  await deque.destroy();
  const mccOps = (mcc['pushed'] ?? 0) + (mcc['popped'] ?? 0);
  const redisMeasured = measured.get('redis');
  return {
    latency: latency.label,
    mode: mode.tag,
    processes,
    callers,
    mcc: summarize(measured.get('mcc')!),
    redis: redisMeasured === undefined ? null : summarize(redisMeasured),
    casFailuresPerOp: mccOps === 0 ? NaN : (mcc['casFailures'] ?? 0) / mccOps,
    announcedShare: mccOps === 0 ? NaN : (mcc['announced'] ?? 0) / mccOps,
    combinedPerCas: (mcc['casAttempts'] ?? 0) - (mcc['casFailures'] ?? 0) === 0 ? 0 : (mcc['combined'] ?? 0) / ((mcc['casAttempts'] ?? 0) - (mcc['casFailures'] ?? 0)),
    busiest: { mcc: busiestShare(mcc), redis: redis === null ? null : busiestShare(counts['redis']!) },
    conservation: `ok (${formatCount(mccOps)} ops)`,
  };
}

async function measureMcas(context: SuiteContext, index: number, processes: number, locations: number, resources: Resources): Promise<McasCell> {
  const { store, pool } = resources;
  const prefix = `bench:scale:mcas:${Date.now().toString(36)}:${index}`;
  const keys = Array.from({ length: locations }, (_, i) => `${prefix}:${i}`);
  await Promise.all(keys.map((key) => store.set(key, 0)));
  const counts: Record<string, number> = {};
  const measured = await compareInRounds([{ name: 'mcas' }], index, context.settings, async (_subject, durationMs) => {
    context.signal.throwIfAborted();
    const result = await pool.run({ subject: 'mcas', keys, per: MCAS_PER, callers: 1, warmupMs: context.settings.warmupSeconds * 1000, durationMs }, processes);
    addCounts(counts, result.counters);
    return result;
  });
  const final = await mcasGetMulti<number>(store, keys);
  const total = keys.reduce((sum, key) => sum + (final.get(key)?.value ?? NaN), 0);
  const applied = counts['applied'] ?? 0;
  if (total !== applied * MCAS_PER) throw new Error(`conservation violated (MCAS ${processes} processes, ${locations} locations): counters sum to ${total}, expected ${applied} × ${MCAS_PER}`);
  await Promise.all(keys.map((key) => store.delete(key)));
  return {
    processes,
    locations,
    mcas: summarize(measured.get('mcas')!),
    retriesPerMcas: applied === 0 ? NaN : ((counts['attempts'] ?? 0) - applied) / applied,
    busiest: busiestShare(counts),
    conservation: `ok (${formatCount(applied)} MCAS)`,
  };
}

/**
 * One unrecorded MCAS round on every process the MCAS cells will use, before
 * the first: otherwise the processes a bigger P adds run their first MCAS
 * (JIT compilation, connections) inside that cell's window, and the first
 * 16-process cell measured cold processes against warm ones at P = 1.
 */
async function warmMcas(context: SuiteContext, processes: number, resources: Resources): Promise<void> {
  context.progress(`MCAS warm-up: ${processes} processes, 1 s`);
  const keys = Array.from({ length: 10 }, (_, i) => `bench:scale:mcas-warm:${Date.now().toString(36)}:${i}`);
  await Promise.all(keys.map((key) => resources.store.set(key, 0)));
  await resources.pool.run({ subject: 'mcas', keys, per: MCAS_PER, callers: 1, warmupMs: 1000, durationMs: 50 }, processes);
  await Promise.all(keys.map((key) => resources.store.delete(key)));
}

function dequeTable(cells: readonly DequeCell[]): Table {
  const p1 = (cell: DequeCell): DequeCell | undefined => cells.find((other) => other.latency === cell.latency && other.mode === cell.mode && other.callers === cell.callers && other.processes === 1);
  return {
    title: 'One deque vs one Redis list: P processes × C callers, each alternating append + popLeft (RPUSH + LPOP) of 100 B',
    columns: [
      { header: 'latency', align: 'left' }, { header: 'mcc', align: 'left' }, { header: 'P × C', align: 'left' }, { header: 'mcc ops/s' }, { header: 'Redis ops/s' }, { header: 'mcc/Redis' },
      { header: 'mcc vs P=1' }, { header: 'RT/op' }, { header: 'CAS fail/op' }, { header: 'announced' }, { header: 'combined/CAS' }, { header: 'busiest process: mcc / Redis' }, { header: 'conservation', align: 'left' },
    ],
    rows: cells.map((cell) => {
      const base = p1(cell);
      return [
        cell.latency,
        cell.mode,
        `${cell.processes} × ${cell.callers}`,
        formatCount(cell.mcc.opsPerSecond),
        cell.redis === null ? 'skipped' : formatCount(cell.redis.opsPerSecond),
        cell.redis === null ? '–' : formatRatio(cell.mcc.opsPerSecond / cell.redis.opsPerSecond),
        base === undefined ? '–' : formatRatio(cell.mcc.opsPerSecond / base.mcc.opsPerSecond),
        formatPerOp(cell.mcc.writesPerOp),
        formatPerOp(cell.casFailuresPerOp),
        formatPerOp(cell.announcedShare),
        formatPerOp(cell.combinedPerCas),
        `${formatShare(cell.busiest.mcc)} / ${formatShare(cell.busiest.redis)}`,
        cell.conservation,
      ];
    }),
  };
}

function mcasTable(cells: readonly McasCell[]): Table {
  return {
    title: `MCAS: P processes × 1 loop of mcasUpdate, ${MCAS_PER} random counters per MCAS`,
    columns: [{ header: 'locations' }, { header: 'P' }, { header: 'MCAS/s' }, { header: 'vs P=1' }, { header: 'retries/MCAS' }, { header: 'RT/MCAS' }, { header: 'mean ms' }, { header: 'busiest process' }, { header: 'conservation', align: 'left' }],
    rows: cells.map((cell) => {
      const base = cells.find((other) => other.locations === cell.locations && other.processes === 1);
      return [
        String(cell.locations),
        String(cell.processes),
        formatCount(cell.mcas.opsPerSecond),
        base === undefined ? '–' : formatRatio(cell.mcas.opsPerSecond / base.mcas.opsPerSecond),
        formatPerOp(cell.retriesPerMcas),
        formatPerOp(cell.mcas.writesPerOp),
        // Pooled rounds carry no latency histogram: mean latency from Little's law (P loops in flight).
        ((cell.processes / cell.mcas.opsPerSecond) * 1000).toFixed(2),
        formatShare(cell.busiest),
        cell.conservation,
      ];
    }),
  };
}

/** A busiest-process share as a percentage ('–' when unknown). */
function formatShare(share: number | null): string {
  return share === null ? '–' : `${Math.round(share * 100)} %`;
}

async function withTargets(latency: Latency, memcached: string, redisServer: RedisServer | null, use: (memcached: string, redisPort: number | null) => Promise<void>): Promise<void> {
  if (latency.delayMs === 0) return use(memcached, redisServer?.port ?? null);
  const memcachedProxy = await FaultProxy.start(memcached);
  const redisProxy = redisServer === null ? null : await FaultProxy.start({ host: '127.0.0.1', port: redisServer.port });
  memcachedProxy.setDelay(latency.delayMs);
  redisProxy?.setDelay(latency.delayMs);
  try {
    await use(memcachedProxy.address, redisProxy?.port ?? null);
  } finally {
    await Promise.all([memcachedProxy.close(), redisProxy?.close()]);
  }
}

async function run(context: SuiteContext): Promise<SuiteReport> {
  const memcached = context.servers[0]!;
  const loadBefore = os.loadavg();
  const started = new Date();
  const notes: string[] = [];
  const redisServer = await startRedisIfPossible(context.progress, notes);
  const store = connect([memcached]);
  const redis = redisServer === null ? null : new Redis({ host: '127.0.0.1', port: redisServer.port, maxRetriesPerRequest: 1 });
  const dequeCells: DequeCell[] = [];
  const mcasCells: McasCell[] = [];
  let index = 0;
  try {
    for (const latency of LATENCIES) {
      const dequeWanted = MODES.flatMap((mode) => PROCESSES.flatMap((p) => CALLERS.map((c) => [p, c, mode] as const))).filter(([p, c, mode]) =>
        cellSelected(context.cells, ['deque', `p${p}`, `c${c}`, latency.tag, mode.tag]),
      );
      const mcasWanted = latency.delayMs > 0 ? [] : MCAS_LOCATIONS.flatMap((l) => MCAS_PROCESSES.map((p) => [p, l] as const)).filter(([p, l]) => cellSelected(context.cells, ['mcas', `p${p}`, `l${l}`, latency.tag]));
      if (dequeWanted.length + mcasWanted.length === 0) continue;
      const size = Math.max(...dequeWanted.map(([p]) => p), ...mcasWanted.map(([p]) => p));
      await withTargets(latency, memcached, redisServer, async (target, redisPort) => {
        context.progress(`${latency.label}: starting ${size} worker processes`);
        const pool = await WorkerPool.start<PoolTargets, ScaleSpec>({ module: __filename, flag: WORKER_FLAG, count: size, init: { memcached: target, redisPort }, name: 'scale bench worker' });
        try {
          for (const [p, c, mode] of dequeWanted) {
            context.progress(`deque (${mode.tag}), ${latency.label}, ${p} processes × ${c} callers`);
            dequeCells.push(await measureDeque(context, index++, latency, mode, p, c, { store, redis, pool }));
          }
          if (mcasWanted.length > 0) await warmMcas(context, Math.max(...mcasWanted.map(([p]) => p)), { store, redis, pool });
          for (const [p, l] of mcasWanted) {
            context.progress(`MCAS, ${p} processes, ${l} locations`);
            mcasCells.push(await measureMcas(context, index++, p, l, { store, redis, pool }));
          }
        } finally {
          pool.stop();
        }
      });
    }
  } finally {
    await Promise.allSettled([store.close(), redis?.quit()]);
    await redisServer?.stop();
  }
  const loadAfter = os.loadavg();
  notes.push(
    `Run ${started.toISOString()}; Node ${process.version}; ${os.cpus().length} CPUs; ${context.settings.seconds} s per subject and cell in ${context.settings.rounds} rounds (${context.settings.warmupSeconds} s warm-up each); load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after.`,
    'RT/op: client socket writes per op over the measured window (one server: one write is one round trip). CAS fail/op: anchor CASes that lost, per push or pop. announced: share of the pushes and pops announced in the log (cross-process combining); combined/CAS: announced operations applied per successful anchor CAS. busiest process: the share of the measured operations done by the busiest process (100 % / P is even; lock-free is not starvation-free, and a total can hide processes that made no progress). Conservation is checked after every cell (the run fails otherwise).',
    'The +0.25 ms rows put the harness fault proxy (one process, sub-millisecond delays) in front of memcached and of Redis alike.',
  );
  return {
    suite: 'scale',
    title: 'Scale: many processes on one deque (mcc vs a Redis list) and on MCAS counters',
    tables: [...(dequeCells.length > 0 ? [dequeTable(dequeCells)] : []), ...(mcasCells.length > 0 ? [mcasTable(mcasCells)] : [])],
    notes,
    results: { settings: context.settings, dequeCells, mcasCells, loadBefore, loadAfter, started: started.toISOString() },
  };
}

export const suite: Suite = {
  name: 'scale',
  description: 'many processes (1-16) × 1 or 4 callers on one deque (direct CASes, and with cross-process combining) vs a Redis list, loopback and +0.25 ms per direction; MCAS at 1, 4, 16 processes; conservation checked',
  servers: 1,
  memcached: { evictions: false },
  run,
};

if (require.main === module && process.argv[2] === WORKER_FLAG) {
  let connection: ScaleConnection | undefined;
  serveAsPoolWorker<PoolTargets, ScaleSpec>(
    {
      init: async (targets) => {
        connection = await connectScale(targets);
      },
      run: (spec) => runScaleRound(connection!, spec),
      close: async () => {
        if (connection !== undefined) await closeScale(connection);
      },
    },
    'scale bench worker',
  );
}
