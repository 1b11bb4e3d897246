import { performance } from 'node:perf_hooks';
import { useMemcached } from '@mcc/harness';
import { WorkQueue } from '../src';
import { storeFactory } from './helpers';

const cluster = useMemcached(3, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

interface Interval {
  readonly call: number;
  readonly return: number;
}

/**
 * The queue's real-time FIFO order, from a recorded history (what
 * linearizability implies for it while no lease expires): if push(a)
 * returned before push(b) was called, no claim that returned b may return
 * before a claim of a is called.
 */
function fifoViolations(pushes: ReadonlyMap<string, Interval>, claims: ReadonlyMap<string, Interval>): string[] {
  const byPush = [...pushes].sort((x, y) => x[1].return - y[1].return);
  const violations: string[] = [];
  for (const [older, olderPush] of byPush) {
    const olderClaim = claims.get(older)!;
    for (const [newer, newerPush] of byPush) {
      if (newerPush.call <= olderPush.return) continue; // not strictly after: either order is fine
      const newerClaim = claims.get(newer)!;
      if (newerClaim.return < olderClaim.call) violations.push(`${newer} (pushed after ${older} returned) was claimed before ${older}'s claim began`);
    }
  }
  return violations;
}

describe('real-time FIFO order of concurrent clients on three servers', () => {
  it('holds for 3 producers × 200 sequential pushes and 6 consumers on separate connections', async () => {
    const name = `fifo-${process.pid}-${Date.now()}`;
    await WorkQueue.create(stores.open(cluster.addresses), name, { leaseMs: 60_000 });
    const handles = Array.from({ length: 4 }, () => WorkQueue.bind<string>(stores.open(cluster.addresses), name));
    const pushes = new Map<string, Interval>();
    const claims = new Map<string, Interval>();
    const duplicates: string[] = [];
    const total = 3 * 200;
    const producers = Array.from({ length: 3 }, async (_, p) => {
      for (let i = 0; i < 200; i++) {
        const call = performance.now();
        await handles[p]!.push(`${p}:${i}`);
        pushes.set(`${p}:${i}`, { call, return: performance.now() });
      }
    });
    const consumers = Array.from({ length: 6 }, async (_, c) => {
      while (claims.size < total) {
        const call = performance.now();
        const job = await handles[c % 4]!.claim({ waitMs: 20 });
        const returned = performance.now();
        if (job === undefined) continue;
        if (claims.has(job.value)) duplicates.push(job.value);
        claims.set(job.value, { call, return: returned });
        await job.ack();
      }
    });
    await Promise.all([...producers, ...consumers]);
    expect(duplicates).toEqual([]);
    expect(claims.size).toBe(total);
    expect(fifoViolations(pushes, claims).slice(0, 5)).toEqual([]);
  }, 60_000);

  it('the check itself rejects a history that breaks FIFO', () => {
    const pushes = new Map([['a', { call: 0, return: 1 }], ['b', { call: 2, return: 3 }]]);
    expect(fifoViolations(pushes, new Map([['a', { call: 10, return: 11 }], ['b', { call: 4, return: 5 }]]))).toHaveLength(1);
    expect(fifoViolations(pushes, new Map([['a', { call: 4, return: 11 }], ['b', { call: 5, return: 6 }]]))).toHaveLength(0); // overlapping claims: either order
  });
});
