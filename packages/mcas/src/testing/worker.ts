/**
 * A worker process for the package's own concurrency tests (not part of the
 * public API, not published): forked by test/concurrency.test.ts from the
 * built `dist/testing/worker.js`, it runs `loops` concurrent loops, each
 * doing `increments` MCAS increments of `per` random counters, retrying on
 * `false` after re-reading with mcasGetMulti. It reports, over IPC, how many
 * times it incremented each counter, so the parent can check every counter
 * exactly.
 */
import { connect } from '../index';
import { mcas } from '../mcas';
import { mcasGetMulti } from '../mcas-get';

export interface WorkerConfig {
  servers: string[];
  /** Counter keys to choose from. */
  keys: string[];
  per: number;
  loops: number;
  increments: number;
}

export interface WorkerReport {
  /** counter key → increments this worker applied */
  counts: Record<string, number>;
  successes: number;
  retries: number;
  /** Set when the worker failed; the parent fails the test with it. */
  error?: string;
}

function pick(keys: readonly string[], count: number): string[] {
  const chosen = new Set<string>();
  while (chosen.size < count) chosen.add(keys[Math.floor(Math.random() * keys.length)]!);
  return [...chosen];
}

async function run(config: WorkerConfig): Promise<WorkerReport> {
  const store = connect(config.servers, { requestTimeoutMs: 10_000 });
  const report: WorkerReport = { counts: {}, successes: 0, retries: 0 };
  try {
    const loop = async (): Promise<void> => {
      for (let done = 0; done < config.increments; done++) {
        const keys = pick(config.keys, config.per);
        for (;;) {
          const entries = await mcasGetMulti<number>(store, keys);
          const updates = keys.map((key) => {
            const entry = entries.get(key);
            if (entry === undefined) throw new Error(`counter ${key} is missing`);
            return [entry, entry.value + 1] as const;
          });
          if (await mcas(store, updates)) break;
          report.retries++;
        }
        report.successes++;
        for (const key of keys) report.counts[key] = (report.counts[key] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: config.loops }, loop));
  } finally {
    await store.close();
  }
  return report;
}

if (require.main === module) {
  const config = JSON.parse(process.argv[2] ?? '{}') as WorkerConfig;
  run(config).then(
    (report) => process.send?.(report, () => process.exit(0)),
    (error: unknown) => {
      const report: WorkerReport = { counts: {}, successes: 0, retries: 0, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
      process.send?.(report, () => process.exit(1));
    },
  );
}
