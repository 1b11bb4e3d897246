/**
 * Queue suite: @mcc/queue jobs/s against BullMQ on a local Redis, in one run
 * with the same processes.
 *
 * The pattern, identical for both: closed loops where each consumer pushes
 * one job (a 100 B value), claims one, and acknowledges it, and starts again
 * as soon as its ack returned — one job is one push + one claim + one ack.
 * mcc: `q.push` + `q.claim` + `job.ack`; BullMQ: `queue.add` (removeOnComplete)
 * + `worker.getNextJob(token)` (manual processing, the documented way to
 * take jobs without a processor callback) + `job.moveToCompleted(…, token,
 * false)`. A claim that finds nothing fails the run (every consumer pushed
 * before it claims, so there is always a job); each cell ends with an empty
 * queue on both sides (checked).
 *
 * Configurations: 1 and 4 forked processes × 8 concurrent consumers on one
 * queue; both subjects run in the same worker processes, alternating in
 * rounds within each cell (`compareInRounds`). The workers are the shared
 * pool of worker-pool.ts; Redis is started by redis-server.ts.
 */
import { Queue as BullQueue, Worker as BullWorker, type Job as BullJob } from 'bullmq';
import { connect, WorkQueue, type Store } from '@mcc/queue';
import * as os from 'node:os';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { compareInRounds, summarize, type Measurement, type Summary } from '../compare';
import { payload } from '../payloads';
import { startRedisIfPossible } from '../redis-server';
import { formatCount, formatPerOp, formatRatio, type Table } from '../report';
import { runClosedLoop } from '../runner';
import type { Suite, SuiteContext, SuiteReport } from '../suite';
import { busiestShare, processCounter, serveAsPoolWorker, WorkerPool } from '../worker-pool';

const VALUE_BYTES = 100;
const CONSUMERS = 8;
const PROCESSES = [1, 4] as const;
const WORKER_FLAG = '--queue-bench-worker';
/** The goal of issue 12: at least BullMQ's throughput at 4 processes × 8. */
const GOAL_RATIO = 1;
type SubjectName = 'mcc' | 'bullmq';

interface WorkerInit {
  readonly memcached: string;
  readonly redisPort: number | null;
}

interface RoundSpec {
  readonly subject: SubjectName;
  readonly queue: string;
  readonly warmupMs: number;
  readonly durationMs: number;
}

interface CellResult {
  readonly processes: number;
  readonly consumers: number;
  readonly mcc: Summary;
  readonly bullmq: Summary | null;
  /** The share of the cell's jobs done by its busiest process (1 for one process): lock-free is not starvation-free, and a total can hide idle processes. */
  readonly busiestShare: { readonly mcc: number; readonly bullmq: number | null };
}

// ---------------------------------------------------------------- one job, each side

type OneJob = () => Promise<void>;

function mccJob(queue: WorkQueue<Buffer>, value: Buffer): OneJob {
  return async () => {
    await queue.push(value);
    const job = await queue.claim({ waitMs: 1000 });
    if (job === undefined) throw new Error('mcc: a claim found no job, though every consumer pushes before it claims');
    await job.ack();
  };
}

function bullJob(queue: BullQueue, worker: BullWorker, value: string): OneJob {
  return async () => {
    await queue.add('job', value, { removeOnComplete: true, removeOnFail: true });
    const token = randomUUID();
    let job: BullJob | undefined;
    // Non-blocking fetch (blocking ones would share one connection); an empty answer is a lost race, tried again briefly.
    for (let attempt = 0; attempt < 100 && job === undefined; attempt++) {
      job = (await worker.getNextJob(token, { block: false })) as BullJob | undefined;
      if (job === undefined) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    if (job === undefined) throw new Error('bullmq: getNextJob found no job, though every consumer adds before it fetches');
    await job.moveToCompleted('ok', token, false);
  };
}

async function measure(oneJob: OneJob, spec: RoundSpec, store: Store | null): Promise<Measurement> {
  const window = { requests: 0, writes: 0 };
  const result = await runClosedLoop(oneJob, {
    concurrency: CONSUMERS,
    warmupMs: spec.warmupMs,
    durationMs: spec.durationMs,
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
  return { ...result, requests: store === null ? null : window.requests, writes: store === null ? null : window.writes };
}

// ---------------------------------------------------------------- workers

function workerMain(): void {
  let store: Store | null = null;
  let redisPort: number | null = null;
  const value = payload(VALUE_BYTES);
  serveAsPoolWorker<WorkerInit, RoundSpec>(
    {
      async init(init) {
        store = connect([init.memcached]);
        await store.client.version();
        redisPort = init.redisPort;
      },
      async run(spec) {
        const measured = await runSubject(spec);
        return { ...measured, counters: processCounter(measured.operations) };
      },
      async close() {
        await store?.close();
      },
    },
    'queue bench worker',
  );

  async function runSubject(spec: RoundSpec): Promise<Measurement> {
    if (spec.subject === 'mcc') return measure(mccJob(WorkQueue.bind<Buffer>(store!, spec.queue), value), spec, store);
    if (redisPort === null) throw new Error('no Redis in this worker');
    const connection = { host: '127.0.0.1', port: redisPort, maxRetriesPerRequest: null };
    const queue = new BullQueue(spec.queue, { connection });
    const worker = new BullWorker(spec.queue, null, { connection, autorun: false });
    try {
      await Promise.all([queue.waitUntilReady(), worker.waitUntilReady()]);
      // BullMQ's values are JSON: the same 100 bytes as base64.
      return await measure(bullJob(queue, worker, value.toString('base64')), spec, null);
    } finally {
      await Promise.allSettled([worker.close(), queue.close()]);
    }
  }
}

// ---------------------------------------------------------------- the suite

async function measureCell(context: SuiteContext, cellIndex: number, processes: number, resources: { store: Store; redis: Redis | null; pools: Map<number, WorkerPool<WorkerInit, RoundSpec>> }): Promise<CellResult> {
  const { store, redis } = resources;
  const stamp = `${Date.now().toString(36)}-${cellIndex}`;
  const name = `bench-queue-${processes}x${CONSUMERS}-${stamp}`;
  const queue = await WorkQueue.create<Buffer>(store, name, { leaseMs: 30_000 });
  const bullName = `bench-${processes}x${CONSUMERS}-${stamp}`;
  const subjects: { name: SubjectName }[] = redis === null ? [{ name: 'mcc' }] : [{ name: 'mcc' }, { name: 'bullmq' }];
  const jobsByProcess = new Map<SubjectName, Record<string, number>>();
  const measured = await compareInRounds(subjects, cellIndex, context.settings, async (subject, durationMs) => {
    context.signal.throwIfAborted();
    const round = await resources.pools.get(processes)!.run({ subject: subject.name, queue: subject.name === 'mcc' ? name : bullName, warmupMs: context.settings.warmupSeconds * 1000, durationMs });
    const counts = jobsByProcess.get(subject.name) ?? {};
    for (const [worker, jobs] of Object.entries(round.counters)) counts[worker] = (counts[worker] ?? 0) + jobs;
    jobsByProcess.set(subject.name, counts);
    return round;
  });
  const busiest = (subject: SubjectName): number | null => busiestShare(jobsByProcess.get(subject) ?? {});
  const stats = await queue.stats();
  if (stats.ready + stats.delayed + stats.inFlight + stats.dead !== 0) throw new Error(`mcc: the queue is not empty after the cell: ${JSON.stringify(stats)}`);
  if (redis !== null) {
    const counts = await new BullQueue(bullName, { connection: redis }).getJobCounts('wait', 'active', 'delayed', 'failed');
    if (Object.values(counts).some((count) => count !== 0)) throw new Error(`bullmq: the queue is not empty after the cell: ${JSON.stringify(counts)}`);
  }
  const bull = measured.get('bullmq');
  return { processes, consumers: CONSUMERS, mcc: summarize(measured.get('mcc')!), bullmq: bull === undefined ? null : summarize(bull), busiestShare: { mcc: busiest('mcc') ?? 1, bullmq: busiest('bullmq') } };
}

function cellTable(cells: readonly CellResult[]): Table {
  return {
    title: `Jobs/s (push + claim + ack, ${VALUE_BYTES} B values)`,
    columns: [{ header: 'processes × consumers', align: 'left' }, { header: 'mcc jobs/s' }, { header: 'BullMQ jobs/s' }, { header: 'mcc / BullMQ' }, { header: 'mcc RT/job' }, { header: 'mcc CPU µs/job' }, { header: 'BullMQ CPU µs/job' }, { header: 'busiest process: mcc / BullMQ' }],
    rows: cells.map((cell) => [
      `${cell.processes} × ${cell.consumers}`,
      formatCount(cell.mcc.opsPerSecond),
      cell.bullmq === null ? '—' : formatCount(cell.bullmq.opsPerSecond),
      cell.bullmq === null ? '—' : formatRatio(cell.mcc.opsPerSecond / cell.bullmq.opsPerSecond),
      formatPerOp(cell.mcc.writesPerOp),
      formatCount(cell.mcc.cpuUsPerOp),
      cell.bullmq === null ? '—' : formatCount(cell.bullmq.cpuUsPerOp),
      `${percent(cell.busiestShare.mcc)} / ${cell.busiestShare.bullmq === null ? '—' : percent(cell.busiestShare.bullmq)}`,
    ]),
  };
}

async function run(context: SuiteContext): Promise<SuiteReport> {
  const memcached = context.servers[0]!;
  const loadBefore = os.loadavg()[0]!;
  const notes: string[] = [];
  const redisServer = await startRedisIfPossible(context.progress, notes, 'BullMQ');
  const store = connect([memcached]);
  let redis: Redis | null = null;
  const pools = new Map<number, WorkerPool<WorkerInit, RoundSpec>>();
  try {
    if (redisServer !== null) {
      redis = new Redis({ host: '127.0.0.1', port: redisServer.port, maxRetriesPerRequest: null });
      await redis.ping();
    }
    await store.client.version();
    const cells: CellResult[] = [];
    for (const [index, processes] of PROCESSES.entries()) {
      context.progress(`${processes} process(es) × ${CONSUMERS} consumers`);
      pools.set(processes, await WorkerPool.start<WorkerInit, RoundSpec>({ module: __filename, flag: WORKER_FLAG, count: processes, init: { memcached, redisPort: redisServer?.port ?? null }, name: 'queue bench worker' }));
      cells.push(await measureCell(context, index, processes, { store, redis, pools }));
      pools.get(processes)!.stop();
      pools.delete(processes);
    }
    const goal = cells.find((cell) => cell.processes === 4);
    const ratio = goal?.bullmq == null ? null : goal.mcc.opsPerSecond / goal.bullmq.opsPerSecond;
    notes.push(
      `Goal (issue 12): mcc ≥ ${GOAL_RATIO}× BullMQ at 4 processes × ${CONSUMERS}: ${ratio === null ? 'not evaluated (no BullMQ)' : `${formatRatio(ratio)} → ${ratio >= GOAL_RATIO ? 'PASS' : 'FAIL'}`}.`,
      `Pattern: each consumer pushes a ${VALUE_BYTES} B job, claims one and acks it, in a closed loop (one job = push + claim + ack). mcc: WorkQueue (leaseMs 30000) on one memcached; BullMQ ${bullVersion()}: Queue.add (removeOnComplete) + Worker.getNextJob (manual processing) + moveToCompleted, on a local redis-server${redisServer === null ? '' : ` ${redisServer.version} (--save '' --appendonly no)`}. Both run in the same forked processes, alternating in rounds.`,
      'Busiest process = the share of the cell\'s jobs done by its busiest worker process (25 % is even at 4 processes; lock-free is not starvation-free, and a total can hide starved processes).',
      'RT/job = mcc socket writes of all processes / jobs (one server: a write is a round trip; combining shares them among a process\'s consumers). Latency is not reported: the workers send counts only. CPU µs/job is the client processes\' user + system CPU (memcached\'s and redis-server\'s own not included).',
      `Node ${process.version}; ${os.cpus().length} CPUs; ${context.settings.seconds} s per subject and cell in ${context.settings.rounds} rounds (${context.settings.warmupSeconds} s warm-up each); 1-minute load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after.`,
    );
    return {
      suite: 'queue',
      title: 'Queue: @mcc/queue vs BullMQ',
      tables: [cellTable(cells)],
      notes,
      results: { settings: context.settings, valueBytes: VALUE_BYTES, consumers: CONSUMERS, redisVersion: redisServer?.version ?? null, bullmq: bullVersion(), cells, ratio },
    };
  } finally {
    for (const pool of pools.values()) pool.stop();
    await Promise.allSettled([store.close(), redis?.quit()]);
    await redisServer?.stop();
  }
}

function percent(share: number): string {
  return `${Math.round(share * 100)} %`;
}

function bullVersion(): string {
  try {
    return (require('bullmq/package.json') as { version: string }).version;
  } catch {
    return '?';
  }
}

export const suite: Suite = {
  name: 'queue',
  description: '@mcc/queue push + claim + ack jobs/s (1 and 4 processes × 8 consumers) vs BullMQ on a local Redis, same processes',
  servers: 1,
  memcached: { evictions: false },
  run,
};

if (require.main === module && process.argv[2] === WORKER_FLAG) workerMain();
