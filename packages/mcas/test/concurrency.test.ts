/**
 * Many processes racing MCAS increments over three servers: every counter
 * ends exactly at the number of increments applied to it (no update lost,
 * none applied twice), and no location is left holding a reference.
 *
 * Workers are separate Node processes (child_process.fork) running the
 * package's compiled `dist/testing/worker.js`: `pnpm test` builds first
 * (turbo's test task depends on build); run `pnpm build` before running
 * jest by hand.
 */
import { useMemcached } from '@mcc/harness';
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { describeLocation, mcasGetMulti, type Store } from '../src';
import type { WorkerConfig, WorkerReport } from '../src/testing/worker';
import { StorePool, uniqueKeys } from './helpers';

const WORKER = path.join(__dirname, '..', 'dist', 'testing', 'worker.js');
const PROCESSES = 4;
const LOOPS = 8;
const PER = 5;

function runWorker(config: WorkerConfig): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let report: WorkerReport | undefined;
    child.on('message', (message) => (report = message as WorkerReport));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (report?.error !== undefined) reject(new Error(`worker failed: ${report.error}`));
      else if (code !== 0 || report === undefined) reject(new Error(`worker exited with code ${code} and ${report ? 'a' : 'no'} report`));
      else resolve(report);
    });
  });
}

describe('concurrent MCAS increments from worker processes (3 servers)', () => {
  const mc = useMemcached(3);
  const pool = new StorePool();
  let store: Store;
  beforeAll(() => {
    if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: build the package first (pnpm build, or pnpm test which builds)`);
    store = pool.open(mc.addresses);
  });
  afterAll(() => pool.closeAll());

  test.each([
    ['100 counters', 100, 16],
    ['10 counters (hot)', 10, 8],
  ])('%s: exact per-counter totals, no reference left', async (_name, counters, increments) => {
    const keys = uniqueKeys('counter', counters);
    await Promise.all(keys.map((key) => store.set(key, 0)));
    const started = Date.now();
    const reports = await Promise.all(
      Array.from({ length: PROCESSES }, () => runWorker({ servers: mc.addresses, keys, per: PER, loops: LOOPS, increments })),
    );
    const elapsed = Date.now() - started;

    const successes = reports.reduce((sum, report) => sum + report.successes, 0);
    const retries = reports.reduce((sum, report) => sum + report.retries, 0);
    expect(successes).toBe(PROCESSES * LOOPS * increments);

    const expected = new Map(keys.map((key) => [key, 0]));
    for (const report of reports) for (const [key, count] of Object.entries(report.counts)) expected.set(key, expected.get(key)! + count);

    const raw = await store.getMulti(keys);
    expect([...raw.values()].filter((entry) => describeLocation(entry).type !== 'value').map((entry) => entry.key)).toEqual([]);
    const final = await mcasGetMulti<number>(store, keys);
    const values = keys.map((key) => final.get(key)!.value);
    expect(values).toEqual(keys.map((key) => expected.get(key)));
    expect(values.reduce((sum, value) => sum + value, 0)).toBe(successes * PER);
    // For the log: contention shows in the retries.
    process.stdout.write(`${counters} counters: ${successes} MCAS, ${retries} retries, ${elapsed} ms\n`);
  }, 60_000);
});
