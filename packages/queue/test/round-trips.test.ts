import { useMemcached } from '@mcc/harness';
import { WorkQueue } from '../src';
import { storeFactory, writesDuring } from './helpers';

const server = useMemcached(1, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

describe('round trips (one server: a socket write is a round trip)', () => {
  it('push 1, claim 5 plus at most 3 for a lease sweep and 1 for a look at the delayed jobs, ack 1 (uncontended: the claim starts from the anchors this process last wrote)', async () => {
    const store = stores.open(server.addresses);
    const q = await WorkQueue.create<number>(store, `rt-${process.pid}-${Date.now()}`, { leaseMs: 30_000 });
    await q.push(0);
    await (await q.claim())!.ack(); // warm: settings read, anchors cached
    const pushes: number[] = [];
    const claims: number[] = [];
    const acks: number[] = [];
    for (let i = 1; i <= 30; i++) {
      pushes.push(await writesDuring(store, () => q.push(i)));
      let job: Awaited<ReturnType<typeof q.claim>>;
      claims.push(await writesDuring(store, async () => (job = await q.claim())));
      expect(job!.value).toBe(i);
      acks.push(await writesDuring(store, () => job!.ack()));
    }
    // The claim's MCAS hands ready's engine the anchor it released (with its CAS id): the push after it needs no read.
    expect(Math.max(...pushes)).toBe(1);
    expect(Math.max(...acks)).toBe(1);
    // Both anchors known (the push's CAS, the last claim's release): a 2-location MCAS only (add descriptor, 2 acquires, decide, release) = 5.
    expect(Math.min(...claims)).toBe(5);
    // Both sweeps are timed (claimer.ts: leases every leaseMs / 4 at most 1 s, delayed jobs every 25 ms), so
    // on a slow machine one claim can run both: seen once at load 8–14 (9 writes).
    expect(Math.max(...claims)).toBeLessThanOrEqual(9);
  });

  it('8 concurrent claims share one transaction', async () => {
    const store = stores.open(server.addresses);
    const q = await WorkQueue.create<number>(store, `rt8-${process.pid}-${Date.now()}`, { leaseMs: 30_000 });
    await q.pushMany(Array.from({ length: 7 }, (_, i) => i));
    await (await q.claim())!.ack();
    const pushes = await writesDuring(store, () => q.pushMany([100]).then(() => q.push(101)));
    expect(pushes).toBe(2); // each uses the anchor written before it (the claim's release, then the first push's CAS)
    const writes = await writesDuring(store, () => Promise.all(Array.from({ length: 8 }, () => q.claim())));
    expect(writes).toBeLessThanOrEqual(9);
    expect(await q.stats()).toMatchObject({ ready: 0, inFlight: 8 });
  });
});
