/**
 * One worker process of `pnpm load mcas`: `workers` concurrent loops, each
 * incrementing `per` distinct random counters with one MCAS per increment
 * (re-reading with mcasGetMulti and retrying on `false`), until the deadline.
 * A loop only stops between increments, so every increment it reports was
 * applied exactly once; an increment whose outcome is unknown is settled
 * with mcasOutcome before it is counted.
 */
import { connect, mcas, mcasGetMulti, mcasOutcome, McasOutcomeUnknownError, type Entry } from '@mcc/mcas';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface McasWorkerConfig {
  servers: string[];
  keys: string[];
  per: number;
  workers: number;
  /** Epoch milliseconds at which the loops start (every process connected by then). */
  startAt: number;
  /** Epoch milliseconds at which the loops stop starting increments. */
  deadline: number;
  index: number;
}

export interface McasWorkerReport {
  /** counter key → increments this process applied */
  counts: Record<string, number>;
  successes: number;
  /** `mcas` calls that returned false (and were retried). */
  retries: number;
  /** Microseconds per increment, retries included: sum and maximum. */
  latencyMicrosTotal: number;
  latencyMicrosMax: number;
  /** Unexpected errors (each a violation), as messages. */
  errors: string[];
}

function pick(keys: readonly string[], count: number): string[] {
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(keys[Math.floor(Math.random() * keys.length)]!);
  return [...chosen];
}

async function run(config: McasWorkerConfig): Promise<McasWorkerReport> {
  const store = connect(config.servers);
  const report: McasWorkerReport = { counts: {}, successes: 0, retries: 0, latencyMicrosTotal: 0, latencyMicrosMax: 0, errors: [] };
  const increment = async (keys: string[]): Promise<void> => {
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
  const loop = async (): Promise<void> => {
    while (Date.now() < config.deadline && report.errors.length === 0) {
      const keys = pick(config.keys, config.per);
      const started = performance.now();
      try {
        await increment(keys);
      } catch (error) {
        report.errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
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
    await store.client.version(); // connected to every server before the clock starts
    await sleep(Math.max(0, config.startAt - Date.now()));
    await Promise.all(Array.from({ length: config.workers }, loop));
  } finally {
    await store.close();
  }
  return report;
}

if (require.main === module) {
  const config = JSON.parse(process.argv[2] ?? '{}') as McasWorkerConfig;
  void run(config).then(
    (report) => process.send?.(report, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`load mcas worker ${config.index}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
