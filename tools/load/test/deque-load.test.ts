/**
 * `pnpm load deque` end to end: the compiled CLI (turbo builds it before the
 * tests) starts its own memcached, forks 2 producer and 2 consumer processes
 * for ~3 s, checks every invariant and must exit 0 with its summary.
 */
import { runLoad } from './run-load';

describe('pnpm load deque', () => {
  it('runs 2 producers + 2 consumers for 3 s and finds every value popped exactly once, in order', async () => {
    const { code, stdout, stderr } = await runLoad(['deque', '--producers', '2', '--consumers', '2', '--concurrency', '4', '--seconds', '3']);
    if (code !== 0) throw new Error(`exit code ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    expect(stdout).toMatch(/^deque: 2 producer \+ 2 consumer processes × 4 loops, \d+ B values, 3 s/m);
    expect(stdout).toMatch(/ops\/s \(pushes \+ pops\)\s+[\d,]+ over/);
    expect(stdout).toMatch(/round trips per op\s+\d+\.\d\d/);
    const appended = Number(/appended\s+(\d+)/.exec(stdout)?.[1]);
    const popped = Number(/popped\s+(\d+)/.exec(stdout)?.[1]);
    expect(appended).toBeGreaterThan(0);
    expect(popped).toBe(appended);
    expect(stdout).toContain('OK: every invariant held');
  }, 60_000);

  it('refuses an unknown option with exit code 2', async () => {
    const { code, stderr } = await runLoad(['deque', '--bogus']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bogus/);
  });
});
