/**
 * The one MCAS increment worker (not part of the public API, not published):
 * forked from the built `dist/testing/worker.js` by this package's
 * concurrency test and by `pnpm load mcas` (tools/load), with its config as
 * one JSON argument. It runs `loops` concurrent loops, each incrementing
 * `per` distinct random counters with one MCAS per increment (re-reading
 * with mcasGetMulti and retrying on `false`) — `increments` times, or until
 * `deadline` — and reports over IPC how many times it incremented each
 * counter, so the parent can check every counter exactly.
 *
 * A loop only stops between increments, so every increment it reports was
 * applied exactly once; an increment whose outcome is unknown (a lost reply)
 * is settled with mcasOutcome before it is counted. An unexpected error ends
 * its loop and is reported in `errors` (and `error`, for a caller that fails
 * on any).
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Entry } from '@mcc/codec';
import { McasOutcomeUnknownError } from '../errors';
import { mcasOutcome } from '../help';
import { connect } from '../index';
import { mcas } from '../mcas';
import { mcasGetMulti } from '../mcas-get';

export interface WorkerConfig {
  servers: string[];
  /** Counter keys to choose from. */
  keys: string[];
  /** Counters per increment (distinct). */
  per: number;
  /** Concurrent loops in this process. */
  loops: number;
  /** Increments per loop; or, without it, loops run until `deadline`. */
  increments?: number;
  /** Epoch milliseconds at which the loops stop starting increments. */
  deadline?: number;
  /** Epoch milliseconds at which the loops start (every process connected by then). */
  startAt?: number;
  /** Set by tools/load's runner; unused here. */
  index?: number;
}

export interface WorkerReport {
  /** counter key → increments this worker applied */
  counts: Record<string, number>;
  successes: number;
  /** `mcas` calls that returned false (and were retried). */
  retries: number;
  /** Microseconds per increment, retries included: sum and maximum. */
  latencyMicrosTotal: number;
  latencyMicrosMax: number;
  /** Unexpected errors (each a violation), as messages. */
  errors: string[];
  /** Set when anything failed (the errors joined, or a failure to run at all). */
  error?: string;
}

function pick(keys: readonly string[], count: number): string[] {
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(keys[Math.floor(Math.random() * keys.length)]!);
  return [...chosen];
}

function message(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

async function run(config: WorkerConfig): Promise<WorkerReport> {
  const store = connect(config.servers, { requestTimeoutMs: 10_000 });
  const report: WorkerReport = { counts: {}, successes: 0, retries: 0, latencyMicrosTotal: 0, latencyMicrosMax: 0, errors: [] };
  const increment = async (keys: readonly string[]): Promise<void> => {
    for (;;) {
      const entries = await mcasGetMulti<number>(store, keys);
      const updates = keys.map((key): readonly [Entry<number>, number] => {
        const entry = entries.get(key);
        if (entry === undefined) throw new Error(`counter ${key} is missing`);
        return [entry, entry.value + 1];
      });
      try {
        if (await mcas(store, updates)) return;
      } catch (error) {
        if (!(error instanceof McasOutcomeUnknownError)) throw error;
        const outcome = await mcasOutcome(store, error.descriptorKey);
        if (outcome === true) return;
        if (outcome === null) throw new Error(`the outcome of ${error.descriptorKey} could not be settled`);
      }
      report.retries++;
    }
  };
  const more = (done: number): boolean =>
    report.errors.length === 0 && (config.increments !== undefined ? done < config.increments : Date.now() < (config.deadline ?? 0));
  const loop = async (): Promise<void> => {
    for (let done = 0; more(done); done++) {
      const keys = pick(config.keys, config.per);
      const started = performance.now();
      try {
        await increment(keys);
      } catch (error) {
        report.errors.push(message(error));
        return;
      }
      const micros = (performance.now() - started) * 1000;
      report.latencyMicrosTotal += micros;
      report.latencyMicrosMax = Math.max(report.latencyMicrosMax, micros);
      report.successes++;
      for (const key of keys) report.counts[key] = (report.counts[key] ?? 0) + 1;
    }
  };
  try {
    await store.client.version(); // connected before the clock starts
    if (config.startAt !== undefined) await sleep(Math.max(0, config.startAt - Date.now()));
    await Promise.all(Array.from({ length: config.loops }, loop));
  } finally {
    await store.close();
  }
  if (report.errors.length > 0) report.error = report.errors.join('; ');
  return report;
}

if (require.main === module) {
  const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
  run(config).then(
    (report) => process.send?.(report, () => process.exit(0)),
    (error: unknown) => {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      const report: WorkerReport = { counts: {}, successes: 0, retries: 0, latencyMicrosTotal: 0, latencyMicrosMax: 0, errors: [text], error: text };
      process.send?.(report, () => process.exit(1));
    },
  );
}
