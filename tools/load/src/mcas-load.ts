/**
 * `pnpm load mcas`: the port of memcache-collections' mcas_load_test.py.
 * Counters start at 0; worker processes race MCAS increments of `per`
 * random counters for `seconds`; at the end every counter must equal the
 * increments the workers applied to it (no update lost or applied twice),
 * the total must be successes × per, and no counter may still hold a
 * descriptor reference.
 */
import { connect, describeLocation, mcasGetMulti } from '@mcc/mcas';
import * as path from 'node:path';
import type { LoadArgs } from './cli-args';
import type { LoadReport } from './report';
import { runWorkers } from './workers';

/**
 * The MCAS increment worker is @mcc/mcas's own (its concurrency test forks
 * the same file): built, not published, found beside the package's manifest.
 * The shapes below are the part of its WorkerConfig / WorkerReport used here.
 */
const WORKER_SCRIPT = path.join(path.dirname(require.resolve('@mcc/mcas/package.json')), 'dist', 'testing', 'worker.js');

interface McasWorkerConfig {
  servers: string[];
  keys: string[];
  per: number;
  loops: number;
  startAt: number;
  deadline: number;
}

interface McasWorkerReport {
  counts: Record<string, number>;
  successes: number;
  retries: number;
  latencyMicrosTotal: number;
  latencyMicrosMax: number;
  errors: string[];
}
/** Time the processes get to start and connect before the clock starts (they wait for it). */
const STARTUP_MS = 1000;

export async function runMcasLoad(args: LoadArgs, servers: readonly string[], progress: (message: string) => void): Promise<LoadReport> {
  const store = connect([...servers]);
  try {
    const prefix = `load:mcas:${Date.now().toString(36)}:${process.pid}`;
    const keys = Array.from({ length: args.locations }, (_, index) => `${prefix}:${index}`);
    await Promise.all(keys.map((key) => store.set(key, 0)));
    progress(`${args.processes} processes × ${args.workers} loops, ${args.per} of ${args.locations} counters per MCAS, ${args.seconds} s on ${servers.join(', ')}`);

    const startAt = Date.now() + STARTUP_MS;
    const deadline = startAt + args.seconds * 1000;
    const config: McasWorkerConfig = { servers: [...servers], keys, per: args.per, loops: args.workers, startAt, deadline };
    const reports = await runWorkers<McasWorkerConfig, McasWorkerReport>(WORKER_SCRIPT, config, args.processes);
    // Increments in flight at the deadline finish (and count) after it: the window is until the last one ended.
    const elapsedMs = Math.max(Date.now(), deadline) - startAt;

    const violations: string[] = reports.flatMap((report, index) => report.errors.map((error) => `process ${index}: ${error}`));
    const expected = new Map(keys.map((key) => [key, 0]));
    for (const report of reports) for (const [key, count] of Object.entries(report.counts)) expected.set(key, (expected.get(key) ?? 0) + count);

    const raw = await store.getMulti(keys);
    const referenced = [...raw.values()].filter((entry) => describeLocation(entry).type !== 'value').map((entry) => entry.key);
    if (referenced.length > 0) violations.push(`${referenced.length} counter(s) still hold an MCAS reference: ${referenced.slice(0, 5).join(', ')}`);
    const final = await mcasGetMulti<number>(store, keys);
    let total = 0;
    for (const key of keys) {
      const value = final.get(key)?.value;
      if (typeof value !== 'number') {
        violations.push(`counter ${key} is missing or not a number`);
        continue;
      }
      total += value;
      if (value !== expected.get(key)) violations.push(`counter ${key} is ${value}, expected ${expected.get(key)}`);
    }
    const successes = reports.reduce((sum, report) => sum + report.successes, 0);
    const retries = reports.reduce((sum, report) => sum + report.retries, 0);
    if (total !== successes * args.per) violations.push(`the counters sum to ${total}, expected ${successes} MCAS × ${args.per} = ${successes * args.per}`);
    const latencyTotal = reports.reduce((sum, report) => sum + report.latencyMicrosTotal, 0);

    return {
      title: `mcas: ${args.processes} processes × ${args.workers} loops, ${args.per} of ${args.locations} counters`,
      lines: [
        ['MCAS applied', String(successes)],
        ['MCAS/s', (successes / (elapsedMs / 1000)).toFixed(0)],
        ['retries (mcas returned false)', `${retries} (${successes === 0 ? '–' : (retries / successes).toFixed(2)} per applied MCAS)`],
        ['latency per increment, retries included', `mean ${successes === 0 ? '–' : (latencyTotal / successes / 1000).toFixed(2)} ms, max ${(Math.max(...reports.map((report) => report.latencyMicrosMax)) / 1000).toFixed(1)} ms`],
        ['counter total', `${total} (expected ${successes * args.per})`],
      ],
      violations,
    };
  } finally {
    await store.close();
  }
}
