import { tracingChannel } from 'node:diagnostics_channel';
import { useMemcached } from '@mcc/harness';
import { WorkQueue } from '../src';
import { storeFactory, writesDuring } from './helpers';

const server = useMemcached(1, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

describe('round trips (one server: a socket write is a round trip)', () => {
  it('push 1, claim 5 plus at most 3 for the sweeps it runs, ack 1 (uncontended: the claim starts from the anchors this process last wrote)', async () => {
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
    expect(Math.max(...claims)).toBeLessThanOrEqual(8);
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

  it('the acks of one claim batch share one request (one marker per batch), and a sweep reads and deletes it once', async () => {
    const store = stores.open(server.addresses);
    const q = await WorkQueue.create<number>(store, `rtb-${process.pid}-${Date.now()}`, { leaseMs: 30_000 });
    await q.pushMany(Array.from({ length: 8 }, (_, i) => i));
    const jobs = await Promise.all(Array.from({ length: 8 }, () => q.claim()));
    expect(new Set(jobs.map((job) => job!.value)).size).toBe(8);
    const before = { ...store.client.metrics };
    await Promise.all(jobs.map((job) => job!.ack()));
    expect(store.client.metrics.requests - before.requests).toBe(1);
    expect(store.client.metrics.writes - before.writes).toBe(1);
    // Acks one after another: each is one request (a CAS from the marker the last one wrote — no read).
    await q.pushMany(Array.from({ length: 4 }, (_, i) => i));
    const more = await Promise.all(Array.from({ length: 4 }, () => q.claim()));
    for (const job of more) {
      const requests = store.client.metrics.requests;
      await job!.ack();
      expect(store.client.metrics.requests - requests).toBe(1);
    }
    // The next sweep (a fresh handle sweeps before its first claim): one marker read and one delete per batch.
    const markerCommands: string[] = [];
    const commands = tracingChannel<unknown, { command: string; key: string | null }>('mcc:protocol:command');
    const handlers = {
      start: (message: { command: string; key: string | null }) => void (message.key?.includes(':b:') === true && markerCommands.push(message.command)),
      end() {},
      asyncStart() {},
      asyncEnd() {},
      error() {},
    };
    commands.subscribe(handlers);
    const sweeper = WorkQueue.bind<number>(store, q.name);
    try {
      expect(await sweeper.claim()).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 50)); // the quiet deletes
    } finally {
      commands.unsubscribe(handlers);
    }
    expect(sweeper.sweepCounters.dropped).toBe(12);
    expect(markerCommands).toHaveLength(4); // 2 batches: 2 reads (one getMulti), 2 deletes
    expect(await q.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
  });
});
