/**
 * Protocol suite: @mcc/protocol on the binary and the meta protocol, each
 * over plain TCP and over TLS, against memjs 1.3.2 (binary, plain TCP only),
 * the baseline, in the same run. Plain subjects share one memcached; the TLS
 * subjects use a second one started with -Z (the harness's throw-away
 * certificates), skipped when the servers are given with --servers.
 *
 * Cells: get and set × 100 B, 1 KiB, 100 KiB values × 1 and 64 operations in
 * flight. Gets read keys filled before the first cell, so every get is a hit
 * of the cell's size; sets overwrite the same keys, so memcached's memory
 * stays flat. Targets (from the issues): at 64 in flight at least 2× memjs's
 * ops/s, sequentially a mean latency no worse than memjs's, and meta within
 * 10% of binary; the TLS columns state what TLS costs per cell.
 */
import * as os from 'node:os';
import { startMemcached, testCertificates, type MemcachedServer } from '@mcc/harness';
import { cellSelected } from '../cli-args';
import { compareInRounds, summarize, type Measurement, type Summary } from '../compare';
import { type KvSubject, mccSubject, memjsSubject, type WireCounters } from '../kv-subjects';
import { formatSize, keySet, payload, VALUE_SIZES } from '../payloads';
import { formatCount, formatMicros, formatPerOp, formatRatio, type Table } from '../report';
import { type Operation, runClosedLoop } from '../runner';
import type { Suite, SuiteContext, SuiteReport } from '../suite';

const OPERATIONS = ['get', 'set'] as const;
const CONCURRENCIES = [1, 64] as const;
/** Enough keys that the loop does not hammer one item; few enough for 100 KiB values to fit memcached's memory easily (25 MiB). */
const KEYS_PER_SIZE = 256;
const THROUGHPUT_TARGET = 2;
/** Meta may be at most this much slower than binary (ops/s ratio). */
const META_TARGET = 0.9;
/** Initial warm-up per client and value size, before any cell. */
const WARM_UP_MS_PER_SIZE = 200;

type OperationName = (typeof OPERATIONS)[number];

interface Cell {
  op: OperationName;
  size: number;
  concurrency: number;
}

/** One cell's result, as written by `--json`. */
export interface ProtocolCellResult extends Cell {
  /** mcc on the binary protocol, plain TCP. */
  mcc: Summary;
  memjs: Summary;
  /** mcc on the meta protocol, plain TCP. */
  meta: Summary;
  /** mcc binary and meta over TLS; null when no TLS server could be used. */
  tls: Summary | null;
  metaTls: Summary | null;
  /** mcc ops/s ÷ memjs ops/s: above 1, mcc is faster. */
  throughputRatio: number;
  /** mcc mean latency ÷ memjs mean latency: below 1, mcc is faster. */
  meanLatencyRatio: number;
  /** meta ops/s ÷ binary ops/s. */
  metaRatio: number;
  /** binary over TLS ops/s ÷ plain binary ops/s. */
  tlsRatio: number | null;
}

/** A cell's `--cells` tags, e.g. get, 100kib, c64 (`--cells get+100kib+c64,set+100kib+c64`). */
function cellTags(cell: Cell): string[] {
  return [cell.op, formatSize(cell.size).replace(' ', '').toLowerCase(), `c${cell.concurrency}`];
}

function cells(selectors: SuiteContext['cells']): Cell[] {
  const all = OPERATIONS.flatMap((op) => VALUE_SIZES.flatMap((size) => CONCURRENCIES.map((concurrency) => ({ op, size, concurrency }))));
  return all.filter((cell) => cellSelected(selectors, cellTags(cell)));
}

function cellLabel(cell: Cell): string {
  return `${cell.op} ${formatSize(cell.size)} × ${cell.concurrency} in flight`;
}

/** One timed closed loop of `subject` on `cell`, with its wire counters over the measured window. */
async function measureCell(subject: KvSubject, cell: Cell, keys: readonly string[], value: Buffer, durationMs: number, context: SuiteContext): Promise<Measurement> {
  const operation: Operation =
    cell.op === 'get'
      ? async (sequence) => {
          const length = await subject.get(keys[sequence % keys.length]!);
          if (length !== cell.size) throw new Error(`${subject.name}: got ${length} bytes, expected ${cell.size}`);
        }
      : (sequence) => subject.set(keys[sequence % keys.length]!, value);
  const window: { before: WireCounters | null; after: WireCounters | null } = { before: null, after: null };
  const result = await runClosedLoop(operation, {
    concurrency: cell.concurrency,
    warmupMs: context.settings.warmupSeconds * 1000,
    durationMs,
    signal: context.signal,
    onWindowStart: () => (window.before = subject.counters()),
    onWindowEnd: () => (window.after = subject.counters()),
  });
  const { before, after } = window;
  return {
    ...result,
    requests: before === null || after === null ? null : after.requests - before.requests,
    writes: before === null || after === null ? null : after.writes - before.writes,
  };
}

function throughputTable(results: readonly ProtocolCellResult[]): Table {
  const optional = (summary: Summary | null): string => (summary === null ? '–' : formatCount(summary.opsPerSecond));
  return {
    title: 'Throughput (ops/s; ratio above 1 = mcc faster)',
    columns: [
      { header: 'op', align: 'left' }, { header: 'value', align: 'left' }, { header: 'in flight' },
      { header: 'mcc ops/s' }, { header: 'memjs ops/s' }, { header: 'mcc/memjs' },
      { header: 'meta ops/s' }, { header: 'meta/binary' },
      { header: 'TLS ops/s' }, { header: 'TLS/plain' }, { header: 'meta TLS ops/s' },
      { header: 'mcc req/op' }, { header: 'mcc writes/op' },
      { header: 'mcc CPU µs/op' }, { header: 'meta CPU µs/op' }, { header: 'memjs CPU µs/op' },
    ],
    rows: results.map((r) => [
      r.op, formatSize(r.size), String(r.concurrency),
      formatCount(r.mcc.opsPerSecond), formatCount(r.memjs.opsPerSecond), formatRatio(r.throughputRatio),
      formatCount(r.meta.opsPerSecond), formatRatio(r.metaRatio),
      optional(r.tls), r.tlsRatio === null ? '–' : formatRatio(r.tlsRatio), optional(r.metaTls),
      formatPerOp(r.mcc.requestsPerOp), formatPerOp(r.mcc.writesPerOp),
      formatMicros(r.mcc.cpuUsPerOp), formatMicros(r.meta.cpuUsPerOp), formatMicros(r.memjs.cpuUsPerOp),
    ]),
  };
}

function latencyTable(results: readonly ProtocolCellResult[]): Table {
  return {
    title: 'Latency (µs, call to settle; ratio below 1 = mcc faster)',
    columns: [
      { header: 'op', align: 'left' }, { header: 'value', align: 'left' }, { header: 'in flight' },
      { header: 'mcc mean' }, { header: 'memjs mean' }, { header: 'mcc/memjs' },
      { header: 'mcc p50' }, { header: 'memjs p50' }, { header: 'mcc p99' }, { header: 'memjs p99' },
    ],
    rows: results.map((r) => [
      r.op, formatSize(r.size), String(r.concurrency),
      formatMicros(r.mcc.meanUs), formatMicros(r.memjs.meanUs), formatRatio(r.meanLatencyRatio),
      formatMicros(r.mcc.p50Us), formatMicros(r.memjs.p50Us), formatMicros(r.mcc.p99Us), formatMicros(r.memjs.p99Us),
    ]),
  };
}

/** Whether each target held, cell by cell, in one line each. */
function targetNotes(results: readonly ProtocolCellResult[]): string[] {
  const describe = (r: ProtocolCellResult, ratio: number): string => `${r.op} ${formatSize(r.size)} ${formatRatio(ratio)}`;
  const parallel = results.filter((r) => r.concurrency > 1);
  const throughputMisses = parallel.filter((r) => !(r.throughputRatio >= THROUGHPUT_TARGET));
  const sequential = results.filter((r) => r.concurrency === 1);
  const latencyMisses = sequential.filter((r) => !(r.meanLatencyRatio <= 1));
  const verdict = (misses: readonly ProtocolCellResult[], total: number): string =>
    misses.length === 0 ? `met in all ${total} cells` : `MISSED in ${misses.length} of ${total} cells`;
  const metaMisses = results.filter((r) => !(r.metaRatio >= META_TARGET));
  const metaParallelMisses = parallel.filter((r) => !(r.meta.opsPerSecond / r.memjs.opsPerSecond >= THROUGHPUT_TARGET));
  return [
    `Target: meta within ${Math.round((1 - META_TARGET) * 100)}% of binary — ${verdict(metaMisses, results.length)}` +
      ` (${results.map((r) => `${cellLabel(r)} ${formatRatio(r.metaRatio)}`).join(', ')}).`,
    `Target: meta ≥ ${THROUGHPUT_TARGET}× memjs ops/s at ${CONCURRENCIES[1]} in flight — ${verdict(metaParallelMisses, parallel.length)}` +
      ` (${parallel.map((r) => describe(r, r.meta.opsPerSecond / r.memjs.opsPerSecond)).join(', ')}).`,
    `Target: ≥ ${THROUGHPUT_TARGET}× memjs ops/s at ${CONCURRENCIES[1]} in flight — ${verdict(throughputMisses, parallel.length)}` +
      ` (${parallel.map((r) => describe(r, r.throughputRatio)).join(', ')}).`,
    `Target: sequential mean latency ≤ memjs — ${verdict(latencyMisses, sequential.length)}` +
      ` (${sequential.map((r) => describe(r, r.meanLatencyRatio)).join(', ')}).`,
  ];
}

/** A TLS memcached like the plain one, unless the servers were given (--servers): then no TLS rows. */
async function tlsServer(context: SuiteContext): Promise<MemcachedServer | null> {
  if (process.env.MCC_SERVERS !== undefined && process.env.MCC_SERVERS !== '') return null;
  try {
    return await startMemcached({ tls: true, memoryMb: 256 });
  } catch (error) {
    context.progress(`no TLS rows: ${(error as Error).message}`);
    return null;
  }
}

async function run(context: SuiteContext): Promise<SuiteReport> {
  const mcc = mccSubject(context.servers, { protocol: 'binary' });
  const meta = mccSubject(context.servers, { protocol: 'meta' }, 'meta');
  const memjs = memjsSubject(context.servers);
  const secure = await tlsServer(context);
  const tls = secure === null ? [] : [
    mccSubject([secure.address], { protocol: 'binary', tls: { ca: testCertificates().ca } }, 'tls'),
    mccSubject([secure.address], { protocol: 'meta', tls: { ca: testCertificates().ca } }, 'metaTls'),
  ];
  const subjects: readonly KvSubject[] = [mcc, meta, ...tls, memjs];
  // Other processes on a 2-core machine move these numbers a lot: say how busy it was.
  const loadBefore = os.loadavg()[0]!;
  try {
    const versions = await mcc.client.version();
    const values = new Map(VALUE_SIZES.map((size) => [size, payload(size)]));
    const keysBySize = new Map(VALUE_SIZES.map((size) => [size, keySet(`bench:protocol:${size}`, KEYS_PER_SIZE)]));
    context.progress(`filling ${KEYS_PER_SIZE} keys per value size`);
    for (const filler of [mcc, ...tls.slice(0, 1)]) {
      for (const size of VALUE_SIZES) await Promise.all(keysBySize.get(size)!.map((key) => filler.set(key, values.get(size)!)));
    }

    // JIT-compile both clients' get and set paths for every size before the
    // first cell, so that cell's first subject does not pay for it alone.
    context.progress('warming up both clients');
    for (const subject of subjects) {
      for (const size of VALUE_SIZES) {
        const keys = keysBySize.get(size)!;
        const value = values.get(size)!;
        const mixed: Operation = (sequence) =>
          sequence % 2 === 0 ? subject.get(keys[sequence % keys.length]!) : subject.set(keys[sequence % keys.length]!, value);
        await runClosedLoop(mixed, { concurrency: 16, warmupMs: 0, durationMs: WARM_UP_MS_PER_SIZE, signal: context.signal });
      }
    }

    const results: ProtocolCellResult[] = [];
    const all = cells(context.cells);
    for (const [index, cell] of all.entries()) {
      context.progress(`[${index + 1}/${all.length}] ${cellLabel(cell)}`);
      const keys = keysBySize.get(cell.size)!;
      const value = values.get(cell.size)!;
      const measured = await compareInRounds(subjects, index, context.settings, (subject, durationMs) =>
        measureCell(subject, cell, keys, value, durationMs, context),
      );
      const summaryOf = (name: string): Summary | null => {
        const merged = measured.get(name);
        return merged === undefined ? null : summarize(merged);
      };
      const mccSummary = summaryOf('mcc')!;
      const memjsSummary = summaryOf('memjs')!;
      const metaSummary = summaryOf('meta')!;
      const tlsSummary = summaryOf('tls');
      results.push({
        ...cell,
        mcc: mccSummary,
        memjs: memjsSummary,
        meta: metaSummary,
        tls: tlsSummary,
        metaTls: summaryOf('metaTls'),
        throughputRatio: mccSummary.opsPerSecond / memjsSummary.opsPerSecond,
        meanLatencyRatio: mccSummary.meanUs / memjsSummary.meanUs,
        metaRatio: metaSummary.opsPerSecond / mccSummary.opsPerSecond,
        tlsRatio: tlsSummary === null ? null : tlsSummary.opsPerSecond / mccSummary.opsPerSecond,
      });
    }

    const loadAfter = os.loadavg()[0]!;
    const { seconds, rounds, warmupSeconds } = context.settings;
    const serverNotes = [...versions].map(([server, version]) => `memcached ${version} at ${server}`).join(', ');
    return {
      suite: 'protocol',
      title: 'Protocol: @mcc/protocol (binary, meta; plain and TLS) vs memjs 1.3.2',
      tables: [throughputTable(results), latencyTable(results)],
      notes: [
        ...targetNotes(results),
        `${serverNotes}; Node ${process.version}; ${os.cpus().length} CPUs; ${seconds} s measured per client and cell in ${rounds} round(s) of alternating order, ${warmupSeconds} s warm-up each.`,
        `1-minute load average ${loadBefore.toFixed(2)} before the suite, ${loadAfter.toFixed(2)} after (which includes the bench itself).`,
      ],
      results: { servers: Object.fromEntries(versions), settings: context.settings, loadAverage: { before: loadBefore, after: loadAfter }, cells: results },
    };
  } finally {
    await Promise.allSettled(subjects.map((subject) => subject.close()));
    await secure?.kill();
  }
}

export const suite: Suite = {
  name: 'protocol',
  description: '@mcc/protocol (binary, meta, each plain and TLS) vs memjs 1.3.2: get/set of 100 B, 1 KiB, 100 KiB, sequential and 64 in flight',
  servers: 1,
  // 256 keys × 100 KiB fit the default 64 MB, but leave headroom for slab rebalancing.
  memcached: { memoryMb: 256 },
  run,
};
