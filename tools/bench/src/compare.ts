/**
 * Side-by-side measurement of several subjects (e.g. two clients) in one cell.
 *
 * Each subject's measured time is split into rounds, and the order of the
 * subjects rotates from round to round and from cell to cell (for two:
 * AB BA, then BA AB, ...). Whatever drifts during a run — CPU frequency,
 * memcached's memory layout, a noisy neighbour on a 2-core machine — then
 * lands on both sides instead of always on whoever runs second.
 */
import { Histogram } from './histogram';
import type { LoopResult } from './runner';
import type { BenchSettings } from './suite';

/** One subject's loop result plus its wire counters over the same window. */
export interface Measurement extends LoopResult {
  /** Requests encoded during the window, or null when the subject keeps no counters. */
  requests: number | null;
  /** Socket writes during the window, or null when the subject keeps no counters. */
  writes: number | null;
}

/** Merged rounds of one subject in one cell. */
export interface Merged extends Measurement {
  /** ops/s of each round, in run order: their spread shows how noisy the machine was. */
  roundOpsPerSecond: number[];
}

/** What a cell reports per subject; times in microseconds. JSON-friendly. */
export interface Summary {
  operations: number;
  seconds: number;
  opsPerSecond: number;
  meanUs: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
  /** Process CPU (user + system) per operation: what the client costs the application. */
  cpuUsPerOp: number;
  /** The kernel's share of {@link cpuUsPerOp}. */
  cpuSystemUsPerOp: number;
  requestsPerOp: number | null;
  writesPerOp: number | null;
  /** ops/s of each round, in run order. */
  roundOpsPerSecond: number[];
}

/** The order of `subjects` in `round` of cell `cell`: a rotation, so each leads equally often. */
export function roundOrder<T>(subjects: readonly T[], cell: number, round: number): T[] {
  const shift = (cell + round) % subjects.length;
  return [...subjects.slice(shift), ...subjects.slice(0, shift)];
}

/**
 * Runs every subject for `settings.seconds` in total, in `settings.rounds`
 * rounds with rotating order, and merges each subject's rounds.
 */
export async function compareInRounds<S extends { readonly name: string }>(
  subjects: readonly S[],
  cell: number,
  settings: Readonly<BenchSettings>,
  measure: (subject: S, durationMs: number) => Promise<Measurement>,
): Promise<Map<string, Merged>> {
  const merged = new Map<string, Merged>();
  const durationMs = (settings.seconds * 1000) / settings.rounds;
  for (let round = 0; round < settings.rounds; round++) {
    for (const subject of roundOrder(subjects, cell, round)) {
      const result = await measure(subject, durationMs);
      const previous = merged.get(subject.name);
      const rate = result.operations / (result.elapsedMs / 1000);
      merged.set(subject.name, previous === undefined ? { ...result, roundOpsPerSecond: [rate] } : mergeRound(previous, result, rate));
    }
  }
  return merged;
}

function mergeRound(a: Merged, b: Measurement, rate: number): Merged {
  const latency = new Histogram();
  latency.merge(a.latency);
  latency.merge(b.latency);
  const add = (x: number | null, y: number | null): number | null => (x === null || y === null ? null : x + y);
  return {
    operations: a.operations + b.operations,
    elapsedMs: a.elapsedMs + b.elapsedMs,
    latency,
    cpuMicros: a.cpuMicros + b.cpuMicros,
    cpuSystemMicros: a.cpuSystemMicros + b.cpuSystemMicros,
    requests: add(a.requests, b.requests),
    writes: add(a.writes, b.writes),
    roundOpsPerSecond: [...a.roundOpsPerSecond, rate],
  };
}

export function summarize(measurement: Merged): Summary {
  const { operations, latency } = measurement;
  const perOp = (total: number | null): number | null => (total === null || operations === 0 ? null : total / operations);
  return {
    operations,
    seconds: measurement.elapsedMs / 1000,
    opsPerSecond: operations / (measurement.elapsedMs / 1000),
    meanUs: latency.mean / 1000,
    p50Us: latency.percentile(50) / 1000,
    p99Us: latency.percentile(99) / 1000,
    maxUs: latency.max / 1000,
    cpuUsPerOp: operations === 0 ? NaN : measurement.cpuMicros / operations,
    cpuSystemUsPerOp: operations === 0 ? NaN : measurement.cpuSystemMicros / operations,
    requestsPerOp: perOp(measurement.requests),
    writesPerOp: perOp(measurement.writes),
    roundOpsPerSecond: measurement.roundOpsPerSecond.map(Math.round),
  };
}
