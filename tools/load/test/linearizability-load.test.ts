/**
 * `pnpm load linearizability` end to end: the compiled CLI starts its own
 * memcached, records histories under faults for ~4 s (deques; every fourth of registers, every fourth of a work queue),
 * checks each and must exit 0 with its summary.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runLoad } from './run-load';

describe('pnpm load linearizability', () => {
  it('checks histories of deques and MCAS registers under injected faults and finds them linearizable', async () => {
    const saveDir = mkdtempSync(path.join(tmpdir(), 'load-lin-'));
    const args = ['linearizability', '--seconds', '4', '--processes', '2', '--ops', '8', '--fault-rate', '0.05', '--seed', '40', '--save-dir', saveDir];
    const { code, stdout, stderr } = await runLoad(args);
    if (code !== 0) throw new Error(`exit code ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    const histories = Number(/histories checked\s+(\d+)/.exec(stdout)?.[1]);
    // One history at least (on an idle machine about three: two of deques, one of registers).
    expect(histories).toBeGreaterThanOrEqual(1);
    expect(stdout).toMatch(new RegExp(`histories checked\\s+${histories} \\(\\d+ deque, \\d+ MCAS registers, \\d+ work queue\\): ${histories} linearizable, 0 not, 0 unknown`));
    expect(Number(/faults injected\s+(\d+)/.exec(stdout)?.[1])).toBeGreaterThan(0);
    expect(stdout).toMatch(/seeds\s+40 … \d+/);
    expect(stdout).toContain('OK: every invariant held');
    expect(readdirSync(saveDir)).toEqual([]);
  }, 120_000);

  it('refuses a fault rate outside 0..1 with exit code 2', async () => {
    const { code, stderr } = await runLoad(['linearizability', '--fault-rate', '1.5']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--fault-rate/);
  });
});
