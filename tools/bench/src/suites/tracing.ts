/**
 * Tracing suite: what the diagnostics channels cost. Sequential (one
 * caller) get + set on the protocol client and append + popLeft on a deque,
 * each with:
 * - "no subscriber": the channels compiled in, nobody listening (what every
 *   user who does not trace runs);
 * - "one subscriber": no-op handlers on every phase of `mcc:protocol:command`
 *   and `mcc:deque:op` (the work an OpenTelemetry bridge adds, minus its spans);
 * - "main-equivalent": the same packages built from a commit without
 *   tracing, when `MCC_BENCH_BASELINE` names such a build (see
 *   `tools/bench/scripts/build-baseline.sh`); the row is left out otherwise.
 *
 * Each subject runs in a process of its own (a pool of one worker), so the
 * untraced one never shares JIT state with a traced one. Reported: ops/s
 * and the worker's CPU µs per op (a sequential loop waits on the network
 * most of the time, so CPU per op shows a cost ops/s can hide). Subjects
 * alternate within each round, so a loaded machine hurts them alike.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import * as path from 'node:path';
import * as deque from '@mcc/deque';
import * as protocol from '@mcc/protocol';
import { formatCount, formatMicros, type Table } from '../report';
import { runClosedLoop, type LoopResult } from '../runner';
import type { Suite, SuiteContext, SuiteReport } from '../suite';
import { serveAsPoolWorker, WorkerPool } from '../worker-pool';

export const BASELINE_ENV = 'MCC_BENCH_BASELINE';
const WORKER_FLAG = '--tracing-bench-worker';

type Subject = 'main-equivalent' | 'no subscriber' | 'one subscriber';
type Workload = 'get + set' | 'append + popLeft';

interface Packages {
  readonly protocol: typeof protocol;
  readonly deque: typeof deque;
}

interface WorkerInit {
  readonly server: string;
  readonly subject: Subject;
  readonly baseline: string | null;
}

interface RoundSpec {
  readonly workload: Workload;
  readonly seconds: number;
  readonly warmupSeconds: number;
}

interface Row {
  readonly workload: Workload;
  readonly subject: Subject;
  readonly opsPerSecond: number;
  readonly cpuMicrosPerOp: number;
}

const TRACED = ['mcc:protocol:command', 'mcc:deque:op'];
const PHASES = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const;

/** Subscribes no-op handlers to every phase of the traced channels; returns the unsubscribe. */
function subscribeAll(): () => void {
  const handlers = Object.fromEntries(PHASES.map((phase) => [phase, () => undefined]));
  const channels = TRACED.map((name) => tracingChannel(name));
  for (const each of channels) each.subscribe(handlers as never);
  return () => {
    for (const each of channels) each.unsubscribe(handlers as never);
  };
}

function loadBaseline(root: string): Packages {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (name: string): unknown => require(path.resolve(root, 'packages', name));
  return { protocol: load('protocol') as typeof protocol, deque: load('deque') as typeof deque };
}

/** One measured loop of `workload` with the given packages; the channels' state is the caller's. */
async function measure(server: string, packages: Packages, spec: RoundSpec): Promise<LoopResult> {
  const { workload } = spec;
  const loop = { concurrency: 1, warmupMs: spec.warmupSeconds * 1000, durationMs: spec.seconds * 1000 };
  if (workload === 'get + set') {
    const client = new packages.protocol.Client([server]);
    try {
      const key = `bench:tracing:${process.pid}`;
      const result = await runClosedLoop(async () => {
        await client.set(key, 'value');
        await client.get(key);
      }, loop);
      return { ...result, operations: 2 * result.operations };
    } finally {
      await client.close();
    }
  }
  const store = packages.deque.connect([server]);
  try {
    const queue = await packages.deque.Deque.create<number>(store);
    try {
      const result = await runClosedLoop(async (sequence) => {
        await queue.append(sequence);
        if ((await queue.popLeft()) === undefined) throw new Error('popLeft found the deque empty right after an append');
      }, loop);
      return { ...result, operations: 2 * result.operations };
    } finally {
      await queue.destroy();
    }
  } finally {
    await store.close();
  }
}

async function run(context: SuiteContext): Promise<SuiteReport> {
  const baseline = process.env[BASELINE_ENV] || null;
  const subjects: Subject[] = [...(baseline === null ? [] : ['main-equivalent' as const]), 'no subscriber', 'one subscriber'];
  const { rounds, seconds, warmupSeconds } = context.settings;
  const pools = new Map<Subject, WorkerPool<WorkerInit, RoundSpec>>();
  const rows: Row[] = [];
  try {
    for (const subject of subjects) {
      pools.set(subject, await WorkerPool.start<WorkerInit, RoundSpec>({ module: __filename, flag: WORKER_FLAG, count: 1, init: { server: context.servers[0]!, subject, baseline }, name: `tracing bench worker (${subject})` }));
    }
    for (const workload of ['get + set', 'append + popLeft'] as const) {
      const totals = new Map<Subject, { operations: number; elapsedMs: number; cpuMicros: number }>(subjects.map((subject) => [subject, { operations: 0, elapsedMs: 0, cpuMicros: 0 }]));
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? subjects : [...subjects].reverse();
        for (const subject of order) {
          context.signal.throwIfAborted();
          context.progress(`${workload}, ${subject}, round ${round + 1}/${rounds}`);
          const result = await pools.get(subject)!.run({ workload, seconds: seconds / rounds, warmupSeconds });
          const total = totals.get(subject)!;
          total.operations += result.operations;
          total.elapsedMs += result.elapsedMs;
          total.cpuMicros += result.cpuMicros;
        }
      }
      for (const subject of subjects) {
        const total = totals.get(subject)!;
        rows.push({ workload, subject, opsPerSecond: (total.operations * 1000) / total.elapsedMs, cpuMicrosPerOp: total.cpuMicros / total.operations });
      }
    }
  } finally {
    for (const pool of pools.values()) pool.stop();
  }
  const table: Table = {
    title: 'Sequential operations (1 caller, 1 server)',
    columns: [{ header: 'workload' }, { header: 'tracing' }, { header: 'ops/s' }, { header: 'CPU µs/op' }],
    rows: rows.map((row) => [row.workload, row.subject, formatCount(row.opsPerSecond), formatMicros(row.cpuMicrosPerOp)]),
  };
  return {
    suite: 'tracing',
    title: 'Tracing: the cost of the diagnostics channels',
    tables: [table],
    notes: [
      `${seconds} s per subject and workload in ${rounds} alternating rounds; an op is one get, set, append or popLeft.`,
      '"one subscriber": no-op handlers on every phase of mcc:protocol:command and mcc:deque:op. Each subject runs in its own worker process; CPU is that process\'s.',
      baseline === null ? `main-equivalent left out: set ${BASELINE_ENV} to a build without tracing (tools/bench/scripts/build-baseline.sh).` : `main-equivalent: the packages under ${baseline}.`,
    ],
    results: rows,
  };
}

export const suite: Suite = {
  name: 'tracing',
  description: 'what the diagnostics channels cost: sequential get/set and deque append/popLeft with no subscriber, one subscriber, and (MCC_BENCH_BASELINE) a build without tracing',
  servers: 1,
  memcached: { evictions: false },
  run,
};

function workerMain(): void {
  let server = '';
  let packages: Packages | null = null;
  serveAsPoolWorker<WorkerInit, RoundSpec>(
    {
      async init(init) {
        server = init.server;
        packages = init.subject === 'main-equivalent' ? loadBaseline(init.baseline!) : { protocol, deque };
        if (init.subject === 'one subscriber') subscribeAll();
      },
      async run(spec) {
        return { ...(await measure(server, packages!, spec)), requests: null, writes: null };
      },
      async close() {},
    },
    'tracing bench worker',
  );
}

if (process.argv.includes(WORKER_FLAG)) workerMain();
