/**
 * MCAS suite: @mcc/mcas round trips and throughput.
 *
 * 1. Round trips per uncontended MCAS for M = 1, 2, 5, 10 entries, on the
 *    first server alone: `client.metrics.writes` counts socket flushes, and
 *    with one server and one MCAS at a time every awaited step is exactly one
 *    flush, so the writes during `await mcas(…)` are its awaited round trips.
 *    The descriptor's quiet delete is flushed after `mcas` returned (nobody
 *    waits for it) and is shown separately. Beside it: the original Python
 *    (memcache_collections.py) at 3M+4, and the latency of `mcas` alone.
 * 2. Throughput: 1, 4 and 16 concurrent loops in this process, each doing
 *    MCAS increments of 5 random counters out of 100 (spread) or 10 (hot)
 *    over all servers, re-reading with mcasGetMulti and retrying on `false`.
 *    One operation = one applied increment, retries included. After each
 *    cell the counters must sum to exactly 5 × the increments applied.
 */
import { connect, mcas, mcasGetMulti, mcasUpdate, type Entry, type Store } from '@mcc/mcas';
import * as os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Histogram } from '../histogram';
import { formatCount, formatMicros, formatPerOp, type Table } from '../report';
import { runClosedLoop } from '../runner';
import type { Suite, SuiteContext, SuiteReport } from '../suite';

const ENTRY_COUNTS = [1, 2, 5, 10] as const;
const CONCURRENCIES = [1, 4, 16] as const;
const LOCATION_COUNTS = [100, 10] as const;
/** Counters per MCAS in the throughput cells. */
const PER = 5;

export interface RoundTripResult {
  entries: number;
  /** memcache_collections.py: 3M + 4. */
  original: number;
  mcases: number;
  /** Mean socket flushes while `mcas` was awaited. */
  awaitedRoundTrips: number;
  /** Mean socket flushes per MCAS including the quiet delete flushed afterwards. */
  totalWrites: number;
  p50Us: number;
  p99Us: number;
}

/** How a loop retries a lost race: at once, or through `mcasUpdate` (jittered back-off). */
export type RetryPolicy = 'immediate' | 'mcasUpdate';
const RETRY_POLICIES: readonly RetryPolicy[] = ['immediate', 'mcasUpdate'];

export interface ThroughputResult {
  retry: RetryPolicy;
  concurrency: number;
  locations: number;
  applied: number;
  seconds: number;
  mcasPerSecond: number;
  /** `mcas` calls that returned false, per applied MCAS. */
  retriesPerMcas: number;
  requestsPerMcas: number;
  writesPerMcas: number;
  p50Us: number;
  p99Us: number;
}

function pick(keys: readonly string[], count: number): string[] {
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(keys[Math.floor(Math.random() * keys.length)]!);
  return [...chosen];
}

async function measureRoundTrips(store: Store, entries: number, context: SuiteContext): Promise<RoundTripResult> {
  const keys = Array.from({ length: entries }, (_, index) => `bench:mcas:rt:${entries}:${index}`);
  await Promise.all(keys.map((key) => store.set(key, 0)));
  const latency = new Histogram();
  let awaited = 0;
  let total = 0;
  let mcases = 0;
  let recording = false;
  await runClosedLoop(
    async () => {
      const read = await mcasGetMulti<number>(store, keys);
      await nextTurn(); // the previous MCAS's quiet delete is flushed: not counted twice
      const before = store.client.metrics.writes;
      const started = performance.now();
      const ok = await mcas(store, keys.map((key) => [read.get(key)!, read.get(key)!.value + 1] as const));
      const elapsed = performance.now() - started;
      const afterAwait = store.client.metrics.writes;
      await nextTurn();
      if (!ok) throw new Error('an uncontended MCAS failed');
      if (!recording) return;
      latency.record(elapsed * 1e6);
      awaited += afterAwait - before;
      total += store.client.metrics.writes - before;
      mcases++;
    },
    {
      concurrency: 1,
      warmupMs: context.settings.warmupSeconds * 1000,
      durationMs: (context.settings.seconds * 1000) / 2,
      signal: context.signal,
      onWindowStart: () => (recording = true),
      onWindowEnd: () => (recording = false),
    },
  );
  return {
    entries,
    original: 3 * entries + 4,
    mcases,
    awaitedRoundTrips: awaited / mcases,
    totalWrites: total / mcases,
    p50Us: latency.percentile(50) / 1000,
    p99Us: latency.percentile(99) / 1000,
  };
}

async function measureThroughput(store: Store, retry: RetryPolicy, concurrency: number, locations: number, context: SuiteContext): Promise<ThroughputResult> {
  const keys = Array.from({ length: locations }, (_, index) => `bench:mcas:tp:${retry}:${concurrency}:${locations}:${Date.now().toString(36)}:${index}`);
  await Promise.all(keys.map((key) => store.set(key, 0)));
  let appliedTotal = 0;
  let retriesInWindow = 0;
  let recording = false;
  const window = { requests: 0, writes: 0 };
  const increment = async (): Promise<void> => {
    const chosen = pick(keys, PER);
    if (retry === 'mcasUpdate') {
      let attempts = 0;
      await mcasUpdate<number>(store, chosen, (entries) => {
        attempts++;
        return chosen.map((key) => [key, entries.get(key)!.value + 1] as const);
      });
      if (recording) retriesInWindow += attempts - 1;
      appliedTotal++;
      return;
    }
    for (;;) {
      const entries = await mcasGetMulti<number>(store, chosen);
      const updates = chosen.map((key): readonly [Entry<number>, number] => [entries.get(key)!, entries.get(key)!.value + 1]);
      if (await mcas(store, updates)) break;
      if (recording) retriesInWindow++;
    }
    appliedTotal++;
  };
  const result = await runClosedLoop(increment, {
    concurrency,
    warmupMs: context.settings.warmupSeconds * 1000,
    durationMs: context.settings.seconds * 1000,
    signal: context.signal,
    onWindowStart: () => {
      recording = true;
      window.requests = store.client.metrics.requests;
      window.writes = store.client.metrics.writes;
    },
    onWindowEnd: () => {
      recording = false;
      window.requests = store.client.metrics.requests - window.requests;
      window.writes = store.client.metrics.writes - window.writes;
    },
  });
  // The invariant: every applied increment added exactly 1 to each of its 5 counters.
  const final = await mcasGetMulti<number>(store, keys);
  const sum = keys.reduce((total, key) => total + (final.get(key)?.value ?? NaN), 0);
  if (sum !== appliedTotal * PER) throw new Error(`MCAS invariant violated: counters sum to ${sum}, expected ${appliedTotal} × ${PER}`);
  const operations = result.operations;
  return {
    retry,
    concurrency,
    locations,
    applied: operations,
    seconds: result.elapsedMs / 1000,
    mcasPerSecond: operations / (result.elapsedMs / 1000),
    retriesPerMcas: retriesInWindow / operations,
    requestsPerMcas: window.requests / operations,
    writesPerMcas: window.writes / operations,
    p50Us: result.latency.percentile(50) / 1000,
    p99Us: result.latency.percentile(99) / 1000,
  };
}

function roundTripTable(results: readonly RoundTripResult[]): Table {
  return {
    title: 'Round trips per uncontended MCAS (one server)',
    columns: [
      { header: 'entries M' }, { header: 'original (3M+4)' }, { header: 'mcc budget (M+3)' }, { header: 'mcc awaited' },
      { header: 'mcc + quiet delete' }, { header: 'mcas p50 µs' }, { header: 'mcas p99 µs' }, { header: 'MCAS measured' },
    ],
    rows: results.map((r) => [
      String(r.entries), String(r.original), String(r.entries === 1 ? 1 : r.entries + 3), formatPerOp(r.awaitedRoundTrips),
      formatPerOp(r.totalWrites), formatMicros(r.p50Us), formatMicros(r.p99Us), formatCount(r.mcases),
    ]),
  };
}

function throughputTable(results: readonly ThroughputResult[], servers: number): Table {
  return {
    title: `Throughput: increments of ${PER} random counters, retried until applied (${servers} servers)`,
    columns: [
      { header: 'retry' }, { header: 'loops' }, { header: 'counters' }, { header: 'MCAS/s' }, { header: 'retries/MCAS' },
      { header: 'requests/MCAS' }, { header: 'writes/MCAS' }, { header: 'p50 µs' }, { header: 'p99 µs' },
    ],
    rows: results.map((r) => [
      r.retry, String(r.concurrency), String(r.locations), formatCount(r.mcasPerSecond), formatPerOp(r.retriesPerMcas),
      formatPerOp(r.requestsPerMcas), formatPerOp(r.writesPerMcas), formatMicros(r.p50Us), formatMicros(r.p99Us),
    ]),
  };
}

async function run(context: SuiteContext): Promise<SuiteReport> {
  const loadBefore = os.loadavg()[0]!;
  const single = connect([context.servers[0]!]);
  const cluster = connect([...context.servers]);
  try {
    const roundTrips: RoundTripResult[] = [];
    for (const entries of ENTRY_COUNTS) {
      context.progress(`round trips, M = ${entries}`);
      roundTrips.push(await measureRoundTrips(single, entries, context));
    }
    const throughput: ThroughputResult[] = [];
    for (const retry of RETRY_POLICIES) {
      for (const locations of LOCATION_COUNTS) {
        for (const concurrency of CONCURRENCIES) {
          context.progress(`throughput (${retry}), ${concurrency} loop(s) on ${locations} counters`);
          throughput.push(await measureThroughput(cluster, retry, concurrency, locations, context));
        }
      }
    }
    const loadAfter = os.loadavg()[0]!;
    const overBudget = roundTrips.filter((r) => r.awaitedRoundTrips > (r.entries === 1 ? 1 : r.entries + 3));
    return {
      suite: 'mcas',
      title: 'MCAS: @mcc/mcas round trips and throughput',
      tables: [roundTripTable(roundTrips), throughputTable(throughput, context.servers.length)],
      notes: [
        `Budget M+3 awaited round trips (1 for M = 1): ${overBudget.length === 0 ? 'met for every M' : `MISSED for M = ${overBudget.map((r) => r.entries).join(', ')}`}.`,
        'Round trips = socket flushes while mcas is awaited (one server, one MCAS at a time); "+ quiet delete" adds the flush of the descriptor delete sent after mcas returned.',
        `Throughput: one process, N concurrent loops; an operation is one applied increment including its re-reads and retries; the counters' total was checked after every cell. Retry "immediate": re-read and retry at once; "mcasUpdate": the library's retry loop, with jittered back-off (1 ms doubling to 100 ms).`,
        `Node ${process.version}; ${os.cpus().length} CPUs; ${context.settings.seconds} s measured per cell (round trips: half), ${context.settings.warmupSeconds} s warm-up; 1-minute load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after.`,
      ],
      results: { settings: context.settings, roundTrips, throughput },
    };
  } finally {
    await Promise.allSettled([single.close(), cluster.close()]);
  }
}

export const suite: Suite = {
  name: 'mcas',
  description: '@mcc/mcas: round trips per MCAS (M = 1, 2, 5, 10) and MCAS/s at 1, 4, 16 loops on 100 and 10 counters',
  servers: 3,
  memcached: { evictions: false },
  run,
};
