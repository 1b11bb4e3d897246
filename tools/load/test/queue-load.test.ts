/**
 * `pnpm load queue` end to end, short: the compiled CLI starts its own
 * memcached, forks 2 producer and 2 consumer processes (which SIGKILL
 * themselves at random between claim and ack) and a redriver for ~3 s, waits
 * for the queue to drain and checks every invariant (queue-load.ts): every
 * job acked once, dead, or redriven — exactly one — and every dead letter
 * redriven at most once.
 */
import { runLoad } from './run-load';

describe('pnpm load queue', () => {
  it('loses and doubles nothing with consumer crashes and dead letters redriven meanwhile', async () => {
    const { code, stdout, stderr } = await runLoad(['queue', '--producers', '2', '--consumers', '2', '--workers', '4', '--seconds', '3']);
    if (code !== 0) throw new Error(`exit code ${code}\nstdout:\n${stdout}\nstderr:\n${stderr}`);
    const pushed = Number(/jobs pushed\s+([\d,]+)/.exec(stdout)?.[1]?.replace(/,/g, ''));
    const redriven = Number(/redriven\s+(\d+) dead letters put back/.exec(stdout)?.[1]);
    expect(pushed).toBeGreaterThan(1000);
    // 1 job in 500 is poison: it dies after 3 leases of 300 ms, and the redriver puts it back.
    expect(redriven).toBeGreaterThan(0);
    expect(stdout).toContain('OK: every invariant held');
  }, 120_000);
});
