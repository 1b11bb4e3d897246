/**
 * Queue profile suite: where a job's client CPU and round trips go, for the
 * mcc side of the queue suite only (queue.ts's loop: push + claim + ack per
 * consumer, 8 consumers per process), at 4 processes by default.
 *
 * Two kinds of round, in the same worker processes:
 * - plain: nothing subscribed (the bench's own cost); run the bench under
 *   `node --cpu-prof --cpu-prof-dir=DIR` and the forked workers inherit the
 *   flag and write one profile each when they exit;
 * - counted: the diagnostics_channel traces of every layer subscribed
 *   (`mcc:protocol:command`, `mcc:mcas:mcas`, `mcc:deque:op`,
 *   `mcc:queue:op`), summed per job: commands by kind, bytes each way, MCAS
 *   calls with their round trips, writes and helps, deque operations with
 *   their anchor CASes and retries, queue operations by kind. The
 *   subscribers cost CPU of their own: read CPU/job from the plain rounds.
 *
 * `pnpm bench queue-profile [--seconds S]`; MCC_PROFILE_PROCESSES=1 for 1 × 8;
 * MCC_PROFILE_COUNTED=0 for the plain round only.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import * as os from 'node:os';
import { connect, WorkQueue, type Store } from '@mcc/queue';
import { summarize, type Measurement } from '../compare';
import { payload } from '../payloads';
import { formatCount, formatPerOp, type Table } from '../report';
import { runClosedLoop } from '../runner';
import type { Suite, SuiteContext, SuiteReport } from '../suite';
import { processCounter, serveAsPoolWorker, WorkerPool } from '../worker-pool';

const VALUE_BYTES = 100;
const CONSUMERS = 8;
const WORKER_FLAG = '--queue-profile-worker';
const WARM_UP_MS = 2000;

interface RoundSpec {
  readonly queue: string;
  readonly counted: boolean;
  readonly warmupMs: number;
  readonly durationMs: number;
}

type Counters = Record<string, number>;

/** Subscribes counting handlers to every layer's trace channel; `active` gates them to the measured window. */
function subscribeCounters(counters: Counters, active: () => boolean): () => void {
  const add = (name: string, value = 1): void => {
    if (active()) counters[name] = (counters[name] ?? 0) + value;
  };
  const subscriptions: [string, { asyncEnd: (message: any) => void }][] = [
    [
      'mcc:protocol:command',
      {
        asyncEnd: (message: { command: string; requestBytes: number; replyBytes: number; result?: unknown }) => {
          add(`cmd ${message.command}`);
          add('bytes written', message.requestBytes);
          add('bytes read', message.replyBytes);
          if ((message.command === 'cas' || message.command === 'add' || message.command === 'ms') && message.result === null) add(`cmd ${message.command} refused`);
        },
      },
    ],
    [
      'mcc:mcas:mcas',
      {
        asyncEnd: (message: { locations: number; roundTrips: number; requests: number; writes: number; helps: number; outcome: unknown }) => {
          add(`mcas ${message.locations} loc`);
          add('mcas round trips', message.roundTrips);
          add('mcas requests', message.requests);
          add('mcas writes', message.writes);
          add('mcas helps', message.helps);
          if (message.outcome !== true) add(`mcas outcome ${String(message.outcome)}`);
        },
      },
    ],
    [
      'mcc:deque:op',
      {
        asyncEnd: (message: { deque: string; kind: string; casAttempts: number; casRetries: number; outcome: string }) => {
          const deque = message.deque.slice(message.deque.lastIndexOf('/') + 1);
          add(`deque ${message.kind} ${deque}`);
          add(`deque ${message.kind} ${deque} anchor CAS`, message.casAttempts);
          add(`deque ${message.kind} ${deque} anchor CAS retried`, message.casRetries);
          if (message.outcome !== 'ok') add(`deque ${message.kind} ${deque} ${message.outcome}`);
        },
      },
    ],
    ['mcc:queue:op', { asyncEnd: (message: { kind: string }) => add(`queue ${message.kind}`) }],
  ];
  for (const [name, handlers] of subscriptions) tracingChannel(name).subscribe(handlers as never);
  return () => {
    for (const [name, handlers] of subscriptions) tracingChannel(name).unsubscribe(handlers as never);
  };
}

async function measureRound(store: Store, spec: RoundSpec, value: Buffer): Promise<Measurement & { counters: Counters }> {
  const queue = WorkQueue.bind<Buffer>(store, spec.queue);
  const counters: Counters = {};
  let inWindow = false;
  const unsubscribe = spec.counted ? subscribeCounters(counters, () => inWindow) : () => {};
  const window = { requests: 0, writes: 0 };
  try {
    const result = await runClosedLoop(
      async () => {
        await queue.push(value);
        const job = await queue.claim({ waitMs: 1000 });
        if (job === undefined) throw new Error('mcc: a claim found no job, though every consumer pushes before it claims');
        await job.ack();
      },
      {
        concurrency: CONSUMERS,
        warmupMs: spec.warmupMs,
        durationMs: spec.durationMs,
        onWindowStart: () => {
          inWindow = true;
          window.requests = store.client.metrics.requests;
          window.writes = store.client.metrics.writes;
        },
        onWindowEnd: () => {
          inWindow = false;
          window.requests = store.client.metrics.requests - window.requests;
          window.writes = store.client.metrics.writes - window.writes;
        },
      },
    );
    // Per process: lock-freedom promises progress for the system, not for each process; this shows the spread.
    if (spec.counted) Object.assign(counters, processCounter(result.operations));
    const sweeps = queue.sweepCounters;
    counters['sweep dropped'] = sweeps.dropped;
    counters['cpu user µs'] = result.cpuMicros - result.cpuSystemMicros;
    counters['cpu system µs'] = result.cpuSystemMicros;
    return { ...result, requests: window.requests, writes: window.writes, counters };
  } finally {
    unsubscribe();
  }
}

function workerMain(): void {
  let store: Store | null = null;
  const value = payload(VALUE_BYTES);
  serveAsPoolWorker<{ memcached: string }, RoundSpec>(
    {
      async init(init) {
        store = connect([init.memcached]);
        await store.client.version();
      },
      run: (spec) => measureRound(store!, spec, value),
      async close() {
        await store?.close();
      },
    },
    'queue profile worker',
  );
}

async function run(context: SuiteContext): Promise<SuiteReport> {
  const processes = Number(process.env.MCC_PROFILE_PROCESSES ?? 4);
  const memcached = context.servers[0]!;
  const loadBefore = os.loadavg()[0]!;
  const store = connect([memcached]);
  const pool = await WorkerPool.start<{ memcached: string }, RoundSpec>({ module: __filename, flag: WORKER_FLAG, count: processes, init: { memcached }, name: 'queue profile worker' });
  try {
    const name = `bench-queue-profile-${Date.now().toString(36)}`;
    await WorkQueue.create<Buffer>(store, name, { leaseMs: 30_000 });
    const durationMs = context.settings.seconds * 1000;
    const warmupMs = context.settings.warmupSeconds * 1000;
    // The first seconds of a fresh worker are JIT warm-up (measured: ~40 % more CPU per job): one unrecorded round first.
    await pool.run({ queue: name, counted: false, warmupMs: 0, durationMs: WARM_UP_MS });
    const plain = await pool.run({ queue: name, counted: false, warmupMs, durationMs });
    // MCC_PROFILE_COUNTED=0: the plain round only (a CPU profile of the bench's own cost, without the subscribers').
    const counted = process.env.MCC_PROFILE_COUNTED === '0' ? plain : await pool.run({ queue: name, counted: true, warmupMs, durationMs });
    const jobs = counted.operations;
    counted.counters['requests (all commands)'] = Object.entries(counted.counters).reduce((total, [counter, value]) => (/^cmd \S+$/.test(counter) ? total + value : total), 0);
    const plainSummary = summarize({ ...plain, roundOpsPerSecond: [] });
    const rows = Object.entries(counted.counters)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([counter, total]) => [counter, formatCount(total), formatPerOp(total / jobs)]);
    const table: Table = {
      title: `Per job, ${processes} processes × ${CONSUMERS} consumers (counted round: ${formatCount(jobs)} jobs)`,
      columns: [{ header: 'counter', align: 'left' }, { header: 'total' }, { header: 'per job' }],
      rows,
    };
    return {
      suite: 'queue-profile',
      title: 'Queue profile: what one push + claim + ack costs',
      tables: [table],
      notes: [
        `Plain round (nothing subscribed): ${formatCount(plainSummary.opsPerSecond)} jobs/s, ${formatCount(plainSummary.cpuUsPerOp)} µs client CPU/job (${formatCount(plain.cpuSystemMicros / plain.operations)} system), ${formatPerOp((plain.writes ?? 0) / plain.operations)} RT/job.`,
        `Counted round: ${formatCount((counted.operations * 1000) / counted.elapsedMs)} jobs/s, ${formatCount(counted.cpuMicros / counted.operations)} µs CPU/job with the subscribers, ${formatPerOp((counted.writes ?? 0) / counted.operations)} RT/job.`,
        `Node ${process.version}; ${os.cpus().length} CPUs; ${context.settings.seconds} s per round; 1-minute load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after.`,
      ],
      results: { processes, consumers: CONSUMERS, plain: plainSummary, counters: counted.counters, jobs },
    };
  } finally {
    pool.stop();
    await store.close();
  }
}

export const suite: Suite = {
  name: 'queue-profile',
  description: '@mcc/queue per-job counters (commands, bytes, MCAS, anchor CASes) and CPU at 4 processes × 8 consumers, mcc only (for --cpu-prof)',
  servers: 1,
  memcached: { evictions: false },
  run,
};

if (require.main === module && process.argv[2] === WORKER_FLAG) workerMain();
