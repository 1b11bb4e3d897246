import { sleep } from '@mcc/harness';
import { WorkQueue, type Job } from '../src';
import { storeFactory, uniqueNames, useProxiedMemcached } from './helpers';

const stores = storeFactory();
const { server, proxy } = useProxiedMemcached(stores);

const uniqueName = uniqueNames('fq');

describe('lost replies', () => {
  it('an ack whose reply was lost is retried and counts once', async () => {
    const name = uniqueName();
    const clean = stores.open(server.addresses);
    const q = await WorkQueue.create<string>(clean, name, { leaseMs: 300, maxClockSkewMs: 0 });
    await q.push('once');
    const faulty = WorkQueue.bind<string>(stores.open([proxy().address], { requestTimeoutMs: 2000 }), name);
    const job = (await faulty.claim())!;
    proxy().setMode('drop-responses');
    const sent = proxy().bytesToServer;
    const ack = job.ack();
    await proxy().waitForBytesToServer(sent + 24);
    await sleep(50); // memcached applied the add; its reply is gone
    proxy().setMode('pass');
    proxy().dropConnections();
    await ack;
    await sleep(350); // past the lease: an unacked job would be redelivered now
    expect(await q.claim({ waitMs: 200 })).toBeUndefined();
    expect(await q.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
  });

  it('claims and acks through a connection that keeps losing replies lose no job', async () => {
    const name = uniqueName();
    const clean = stores.open(server.addresses);
    const q = await WorkQueue.create<number>(clean, name, { leaseMs: 300, maxDeliveries: 1000, maxClockSkewMs: 0 });
    const ids = await q.pushMany(Array.from({ length: 400 }, (_, i) => i));
    const faulty = WorkQueue.bind<number>(stores.open([proxy().address], { requestTimeoutMs: 200, connectTimeoutMs: 200 }), name);
    const acked = new Set<string>();
    const failures = { claim: 0, ack: 0 };
    // Windows in which requests reached the server and their replies were dropped.
    let lostReplyWindows = 0;
    let faulting = true;
    const injector = (async () => {
      // 12 windows, and more (bounded) until some of them really caught requests in flight.
      for (let i = 0; i < 12 || (lostReplyWindows < 3 && i < 60); i++) {
        await sleep(80 + Math.random() * 120);
        proxy().setMode('drop-responses');
        const sent = proxy().bytesToServer;
        await sleep(30 + Math.random() * 50);
        if (proxy().bytesToServer > sent) lostReplyWindows++;
        proxy().setMode('pass');
        proxy().dropConnections();
      }
      faulting = false;
    })();
    const consumer = async (): Promise<void> => {
      while (faulting) {
        let job: Job<number> | undefined;
        try {
          job = await faulty.claim({ waitMs: 50 });
        } catch {
          failures.claim++;
          continue;
        }
        if (job === undefined) continue;
        try {
          await job.ack();
          acked.add(job.id);
        } catch {
          failures.ack++;
        }
      }
    };
    await Promise.all([injector, ...Array.from({ length: 8 }, consumer)]);
    // A clean consumer finishes: whatever the faults left leased expires and comes back.
    for (;;) {
      const job = await q.claim({ waitMs: 800 });
      if (job === undefined) break;
      await job.ack();
      acked.add(job.id);
    }
    // The faults did hit: replies to requests in flight were lost (the queue may absorb
    // them all — a lost claim hands out nothing, an ack re-reads its marker — so the
    // callers' failures are counted, not required).
    expect(lostReplyWindows).toBeGreaterThanOrEqual(3);
    expect(ids.filter((id) => !acked.has(id))).toEqual([]);
    expect(await q.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
  }, 30_000);
});
