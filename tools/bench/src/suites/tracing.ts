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
 * Reported: ops/s and process CPU µs per op (a sequential loop waits on the
 * network most of the time, so CPU per op shows a cost ops/s can hide).
 * Subjects alternate within each round, so a loaded machine hurts them alike.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import * as path from 'node:path';
import * as deque from '@mcc/deque';
import * as protocol from '@mcc/protocol';
import { formatCount, formatMicros, type Table } from '../report';
import { runClosedLoop } from '../runner';
import type { Suite, SuiteContext, SuiteReport } from '../suite';

export const BASELINE_ENV = 'MCC_BENCH_BASELINE';

type Subject = 'main-equivalent' | 'no subscriber' | 'one subscriber';
type Workload = 'get + set' | 'append + popLeft';

interface Packages {
  readonly protocol: typeof protocol;
  readonly deque: typeof deque;
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

function loadBaseline(): Packages | null {
  const root = process.env[BASELINE_ENV];
  if (root === undefined || root === '') return null;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const load = (name: string): unknown => require(path.resolve(root, 'packages', name));
  return { protocol: load('protocol') as typeof protocol, deque: load('deque') as typeof deque };
}

/** One measured loop of `workload` with the given packages; the channels' state is the caller's. */
async function measure(context: SuiteContext, packages: Packages, workload: Workload, seconds: number): Promise<{ operations: number; elapsedMs: number; cpuMicros: number }> {
  const server = context.servers[0]!;
  const loop = { concurrency: 1, warmupMs: context.settings.warmupSeconds * 1000, durationMs: seconds * 1000, signal: context.signal };
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
  const baseline = loadBaseline();
  const current: Packages = { protocol, deque };
  const subjects: Subject[] = [...(baseline === null ? [] : ['main-equivalent' as const]), 'no subscriber', 'one subscriber'];
  const { rounds, seconds } = context.settings;
  const rows: Row[] = [];
  for (const workload of ['get + set', 'append + popLeft'] as const) {
    const totals = new Map<Subject, { operations: number; elapsedMs: number; cpuMicros: number }>(subjects.map((subject) => [subject, { operations: 0, elapsedMs: 0, cpuMicros: 0 }]));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? subjects : [...subjects].reverse();
      for (const subject of order) {
        context.progress(`${workload}, ${subject}, round ${round + 1}/${rounds}`);
        const unsubscribe = subject === 'one subscriber' ? subscribeAll() : () => undefined;
        try {
          const result = await measure(context, subject === 'main-equivalent' ? baseline! : current, workload, seconds / rounds);
          const total = totals.get(subject)!;
          total.operations += result.operations;
          total.elapsedMs += result.elapsedMs;
          total.cpuMicros += result.cpuMicros;
        } finally {
          unsubscribe();
        }
      }
    }
    for (const subject of subjects) {
      const total = totals.get(subject)!;
      rows.push({ workload, subject, opsPerSecond: (total.operations * 1000) / total.elapsedMs, cpuMicrosPerOp: total.cpuMicros / total.operations });
    }
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
      '"one subscriber": no-op handlers on every phase of mcc:protocol:command and mcc:deque:op.',
      baseline === null ? `main-equivalent left out: set ${BASELINE_ENV} to a build without tracing (tools/bench/scripts/build-baseline.sh).` : `main-equivalent: the packages under ${process.env[BASELINE_ENV]}.`,
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
