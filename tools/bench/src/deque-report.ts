/**
 * The deque suite's tables: the cells side by side with the Redis list and
 * the Python original, and the targets they are checked against.
 */
import type { Summary } from './compare';
import type { SeedResult } from './python-baseline';
import { formatCount, formatPerOp, formatRatio, type Table } from './report';

export type DequeMode = 'fifo' | 'lifo';

export interface CellResult {
  mode: DequeMode;
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

export function cellTable(cells: readonly CellResult[], seed: SeedResult | null, valueBytes: number): Table {
  return {
    title: `Push + pop closed loops, ${valueBytes} B values, one memcached / one redis-server (ops/s = pushes + pops per second)`,
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

export function evaluateTargets(cells: readonly CellResult[], seed: SeedResult | null): TargetResult[] {
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

export function targetTable(targets: readonly TargetResult[]): Table {
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
