import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { useMemcached } from '@mcc/harness';
import { BIN, isAlive, memcachedPids, runCli, runCommand, startCli, startCommand, waitForStderr } from './run-cli';

/** The root's `pnpm demo`: the CLI under the harness's launcher, which starts a private memcached for it. */
const WITH_MEMCACHED = path.join(path.dirname(require.resolve('@mcc/harness/package.json')), 'dist', 'with-memcached.js');
const pnpmDemo = (args: readonly string[]): string[] => [WITH_MEMCACHED, '-M', '-m', '256', '--', process.execPath, BIN, 'demo', ...args];

const cluster = useMemcached(1, { evictions: false });

interface DemoSummary {
  ok: boolean;
  interrupted: boolean;
  seconds: number;
  servers: string[];
  backlog: { max: number; limit: number };
  workloads: { name: string; ops: number; opsPerSecond: number; roundTripsPerOp: number }[];
  checks: { name: string; ok: boolean; detail: string }[];
}

function expectAllChecksPassed(summary: DemoSummary): void {
  expect(summary.checks.filter((check) => !check.ok)).toEqual([]);
  expect(summary.checks.map((check) => check.name)).toEqual(
    expect.arrayContaining(['items in = items out', 'no duplicates', 'order per producer per consumer', 'moveTo conserved the items', "accounts' total conserved", 'work queue: every job done once', 'backlog within its cap']),
  );
  for (const workload of summary.workloads) expect(workload.ops).toBeGreaterThan(0);
  expect(summary.ok).toBe(true);
}

/** Memcached processes that appeared during a run and listen on `port` (other test files may start their own meanwhile). */
async function leftBehind(before: ReadonlySet<number>, port: number): Promise<number[]> {
  const after = await memcachedPids();
  return [...after].filter((pid) => {
    if (before.has(pid)) return false;
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(String(port));
    } catch {
      return false; // gone already
    }
  });
}

describe('mcc demo', () => {
  it('runs against --servers and prints a verified summary', async () => {
    const run = await runCli(['demo', '--seconds', '3', '--servers', cluster.addresses.join(',')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('all 10 checks passed');
    expect(run.stdout).toMatch(/PASS\s+items in = items out/);
    expect(run.stdout).toMatch(/PASS\s+backlog within its cap/);
    expect(run.stdout).toMatch(/round trips\/op/);
    // stderr is not a terminal here: progress comes as plain lines.
    expect(run.stderr).toMatch(/mcc demo: \d+\.\d\/3 s running: append/);
  });

  it('reports the rates the live progress showed, and holds the backlog to its cap', async () => {
    // Many producer loops against few consumers: the backlog reaches its cap and must stop there.
    const run = await runCli(['demo', '--seconds', '4', '--producers', '3', '--consumers', '1', '--concurrency', '16', '--json', '--servers', cluster.addresses.join(',')]);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as DemoSummary;
    expectAllChecksPassed(summary);
    expect(summary.backlog.max).toBeLessThanOrEqual(summary.backlog.limit);
    // The last plain progress line of the run window: cumulative appends at that time.
    const lines = [...run.stderr.matchAll(/mcc demo: (\d+\.\d)\/4 s running: append ([\d,]+) /g)];
    const [, at, count] = lines.at(-1)!;
    const liveAverage = Number(count!.replace(/,/g, '')) / Number(at);
    const append = summary.workloads.find((workload) => workload.name === 'append')!;
    // Same definition (ops in the window / its length), so they agree up to the drift after the last
    // progress line (on 2 busy cores the rate swings within a second: 1.67 was seen at load 9).
    expect(append.opsPerSecond / liveAverage).toBeGreaterThan(0.5);
    expect(append.opsPerSecond / liveAverage).toBeLessThan(2);
  });

  it('without servers uses 127.0.0.1:11211 like every command, and says how to get one', async () => {
    const run = await runCli(['demo', '--seconds', '1'], { MCC_SERVERS: undefined });
    // Nothing listens on 11211 here (the harness uses free ports), or it runs: either way no private server is started.
    if (run.code !== 0) {
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('MCC_ERR_CONNECTION');
      expect(run.stderr).toContain('127.0.0.1:11211');
    }
    expect(run.stderr).not.toContain('started memcached');
  });

  it('pnpm demo: runs on a private memcached started for it, and leaves no process behind', async () => {
    const before = await memcachedPids();
    const run = await runCommand(pnpmDemo(['--seconds', '3', '--json']));
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as DemoSummary;
    expectAllChecksPassed(summary);
    const started = /started memcached \(pid (\d+)\) on 127\.0\.0\.1:(\d+) with -M -m 256/.exec(run.stderr)!;
    const pid = Number(started[1]);
    expect(summary.servers).toEqual([`127.0.0.1:${started[2]}`]);
    expect(before.has(pid)).toBe(false);
    expect(isAlive(pid)).toBe(false);
    expect(await leftBehind(before, Number(started[2]))).toEqual([]);
  });

  it('pnpm demo says how to install memcached when it is missing', async () => {
    const run = await runCommand(pnpmDemo(['--seconds', '1']), { MCC_MEMCACHED_BIN: '/nonexistent/memcached' });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('MCC_ERR_MEMCACHED_NOT_INSTALLED');
    expect(run.stderr).toContain('apt-get install -y memcached');
    expect(run.stderr).toContain('--servers');
  });

  it('Ctrl-C (SIGINT) prints a partial summary, exits 130, and pnpm demo stops its memcached', async () => {
    const { child, done } = startCommand(pnpmDemo(['--seconds', '30']));
    const match = await waitForStderr(child, /started memcached \(pid (\d+)\)/, 15_000);
    const pid = Number(match[1]);
    expect(isAlive(pid)).toBe(true);
    await waitForStderr(child, /running: append [1-9][\d,]* \(/, 15_000);
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('MCC_ERR_CLI_INTERRUPTED');
    expect(run.stdout).toContain('INTERRUPTED: the figures so far, nothing verified');
    expect(run.stdout).toMatch(/append\s+2×8\s+[\d,]+/);
    expect(isAlive(pid)).toBe(false);
  });

  it('Ctrl-C on the CLI alone also prints the partial summary', async () => {
    const { child, done } = startCli(['demo', '--seconds', '30', '--json', '--servers', cluster.addresses.join(',')]);
    await waitForStderr(child, /running: append [1-9][\d,]* \(/, 15_000);
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(130);
    const summary = JSON.parse(run.stdout) as DemoSummary;
    expect(summary.interrupted).toBe(true);
    expect(summary.workloads.find((workload) => workload.name === 'append')!.ops).toBeGreaterThan(0);
  });
});
