/**
 * Deque options suite: what `flushBytes` and `inlineMaxBytes` change, for
 * the "choosing the options" section of the deque README.
 *
 * The pattern: a deque holding a standing backlog (prefilled with extends no
 * larger than a chunk, as steady appends would leave it), and closed loops
 * that append on the right and pop on the left (FIFO), so buffers fill and
 * flush into chunks at one end and chunks are read back at the other — the
 * work the options trade. Reported per cell: ops/s (pushes + pops),
 * round trips per op (client socket writes / ops; one server), and the
 * largest anchor seen (sampled every 50 ms), which every anchor CAS rewrites.
 */
import { connect, Deque } from '@mcc/deque';
import { payload } from '../payloads';
import { formatCount, formatPerOp, type Table } from '../report';
import { runClosedLoop } from '../runner';
import type { Suite, SuiteContext, SuiteReport } from '../suite';

interface Cell {
  readonly flushBytes: number;
  readonly inlineMaxBytes: number;
  readonly valueBytes: number;
  readonly prefill: number;
  readonly callers: number;
}

interface CellResult extends Cell {
  readonly opsPerSecond: number;
  readonly roundTripsPerOp: number;
  readonly maxAnchorBytes: number;
}

const CALLERS = [1, 64];
const FLUSH_CELLS: Cell[] = [1024, 4096, 16384, 65536].flatMap((flushBytes) =>
  CALLERS.map((callers) => ({ flushBytes, inlineMaxBytes: 1024, valueBytes: 100, prefill: 10_000, callers })),
);
const INLINE_CELLS: Cell[] = [1024, 4096].flatMap((inlineMaxBytes) =>
  CALLERS.map((callers) => ({ flushBytes: 16384, inlineMaxBytes, valueBytes: 2000, prefill: 2000, callers })),
);

async function measure(context: SuiteContext, cell: Cell): Promise<CellResult> {
  const store = connect([context.servers[0]!]);
  try {
    const deque = await Deque.create<Buffer>(store, undefined, { flushBytes: cell.flushBytes, inlineMaxBytes: cell.inlineMaxBytes });
    const value = payload(cell.valueBytes);
    const batch = Math.max(1, Math.floor(cell.flushBytes / (Math.min(cell.valueBytes, cell.inlineMaxBytes) + 8)));
    for (let filled = 0; filled < cell.prefill; filled += batch) await deque.extend(Array.from({ length: Math.min(batch, cell.prefill - filled) }, () => value));
    let maxAnchorBytes = 0;
    const anchorKey = `mcc:dq:${deque.name}`;
    const sampler = setInterval(() => {
      void store.client.get(anchorKey).then((item) => (maxAnchorBytes = Math.max(maxAnchorBytes, item?.value.length ?? 0)), () => undefined);
    }, 50);
    let writes = 0;
    try {
      const result = await runClosedLoop(
        async () => {
          await deque.append(value);
          if ((await deque.popLeft()) === undefined) throw new Error('a pop found the deque empty despite its backlog');
        },
        {
          concurrency: cell.callers,
          warmupMs: context.settings.warmupSeconds * 1000,
          durationMs: context.settings.seconds * 1000,
          signal: context.signal,
          onWindowStart: () => (writes = store.client.metrics.writes),
          onWindowEnd: () => (writes = store.client.metrics.writes - writes),
        },
      );
      const operations = 2 * result.operations;
      return { ...cell, opsPerSecond: (operations * 1000) / result.elapsedMs, roundTripsPerOp: writes / operations, maxAnchorBytes };
    } finally {
      clearInterval(sampler);
      await deque.destroy();
    }
  } finally {
    await store.close();
  }
}

function table(title: string, knob: 'flushBytes' | 'inlineMaxBytes', results: readonly CellResult[]): Table {
  return {
    title,
    columns: [{ header: knob }, { header: 'callers' }, { header: 'ops/s' }, { header: 'RT/op' }, { header: 'largest anchor' }],
    rows: results.map((r) => [formatCount(r[knob]), String(r.callers), formatCount(r.opsPerSecond), formatPerOp(r.roundTripsPerOp), `${formatCount(r.maxAnchorBytes)} B`]),
  };
}

async function run(context: SuiteContext): Promise<SuiteReport> {
  const flush: CellResult[] = [];
  for (const cell of FLUSH_CELLS) {
    context.progress(`flushBytes ${cell.flushBytes}, ${cell.callers} caller(s)`);
    flush.push(await measure(context, cell));
  }
  const inline: CellResult[] = [];
  for (const cell of INLINE_CELLS) {
    context.progress(`inlineMaxBytes ${cell.inlineMaxBytes} (2,000 B values), ${cell.callers} caller(s)`);
    inline.push(await measure(context, cell));
  }
  return {
    suite: 'deque-options',
    title: 'Deque options: flushBytes and inlineMaxBytes',
    tables: [
      table('flushBytes: 100 B values, 10,000 waiting, FIFO append + popLeft', 'flushBytes', flush),
      table('inlineMaxBytes: 2,000 B values, 2,000 waiting, flushBytes 16,384', 'inlineMaxBytes', inline),
    ],
    notes: [
      `${context.settings.seconds} s per cell, one memcached, one client; RT/op = socket writes / ops; the anchor is sampled every 50 ms.`,
      'Values over inlineMaxBytes (encoded) are stored in items of their own: one more write per push and read per pop, a small anchor. Under it they ride in the anchor and chunks.',
    ],
    results: { flush, inline },
  };
}

export const suite: Suite = {
  name: 'deque-options',
  description: 'what the deque options flushBytes and inlineMaxBytes change: ops/s, round trips per op, anchor size (FIFO with a backlog)',
  servers: 1,
  memcached: { evictions: false, memoryMb: 512 },
  run,
};
