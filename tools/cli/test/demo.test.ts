import { readFileSync } from 'node:fs';
import { useMemcached } from '@mcc/harness';
import { isAlive, memcachedPids, runCli, startCli, waitForStderr } from './run-cli';

const cluster = useMemcached(1, { evictions: false });

interface DemoSummary {
  ok: boolean;
  servers: string[];
  embedded: { address: string; pid: number } | null;
  workloads: { name: string; ops: number; opsPerSecond: number; roundTripsPerOp: number }[];
  checks: { name: string; ok: boolean; detail: string }[];
}

function expectAllChecksPassed(summary: DemoSummary): void {
  expect(summary.checks.filter((check) => !check.ok)).toEqual([]);
  expect(summary.checks.map((check) => check.name)).toEqual(
    expect.arrayContaining(['items in = items out', 'no duplicates', 'order per producer per consumer', 'moveTo conserved the items', "accounts' total conserved"]),
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
    expect(run.stdout).toContain('all 8 checks passed');
    expect(run.stdout).toMatch(/PASS\s+items in = items out/);
    expect(run.stdout).toMatch(/round trips\/op/);
    // stderr is not a terminal here: progress comes as plain lines.
    expect(run.stderr).toMatch(/mcc demo: \d+\.\d\/3 s running: append/);
    expect(run.stderr).not.toContain('started a private memcached');
  });

  it('starts a private memcached when no servers are given, and leaves no process behind', async () => {
    const before = await memcachedPids();
    const run = await runCli(['demo', '--seconds', '3', '--json']);
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as DemoSummary;
    expectAllChecksPassed(summary);
    expect(summary.embedded).not.toBeNull();
    const { pid, address } = summary.embedded!;
    expect(summary.servers).toEqual([address]);
    expect(before.has(pid)).toBe(false);
    expect(isAlive(pid)).toBe(false);
    expect(await leftBehind(before, Number(address.split(':')[1]))).toEqual([]);
  });

  it('says how to install memcached when it is missing', async () => {
    const run = await runCli(['demo', '--seconds', '1'], { MCC_MEMCACHED_BIN: '/nonexistent/memcached' });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('MCC_ERR_MEMCACHED_NOT_INSTALLED');
    expect(run.stderr).toContain('apt-get install -y memcached');
    expect(run.stderr).toContain('--servers');
  });

  it('stops its private memcached on Ctrl-C (SIGINT) and exits 130', async () => {
    const { child, done } = startCli(['demo', '--seconds', '30']);
    const match = await waitForStderr(child, /private memcached \(pid (\d+)\) on 127\.0\.0\.1:(\d+)/, 15_000);
    const pid = Number(match[1]);
    expect(isAlive(pid)).toBe(true);
    await waitForStderr(child, /running: append/, 15_000);
    child.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('MCC_ERR_CLI_INTERRUPTED');
    expect(isAlive(pid)).toBe(false);
  });
});
