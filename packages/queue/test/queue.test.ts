import { useMemcached, sleep } from '@mcc/harness';
import { Deque, InvalidArgumentError, LeaseExpiredError, QueueCorruptedError, QueueExistsError, QueueNotFoundError, WorkQueue } from '../src';
import { storeFactory } from './helpers';

const cluster = useMemcached(3, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

let counter = 0;
const uniqueName = (): string => `q-${process.pid}-${Date.now()}-${counter++}`;
const open = () => stores.open(cluster.addresses);

describe('WorkQueue', () => {
  it('hands out ready jobs in push order, once each while leased, and forgets acked ones', async () => {
    const q = await WorkQueue.create<number>(open(), uniqueName(), { leaseMs: 5000 });
    const ids = [await q.push(1), ...(await q.pushMany([2, 3, 4]))];
    expect(new Set(ids).size).toBe(4);
    ids.forEach((id) => expect(typeof id).toBe('string'));
    const jobs = [await q.claim(), await q.claim(), await q.claim(), await q.claim()];
    expect(jobs.map((job) => job?.value)).toEqual([1, 2, 3, 4]);
    expect(jobs.map((job) => job?.id)).toEqual(ids);
    expect(jobs.every((job) => job!.deliveries === 1 && job!.leaseUntil > Date.now())).toBe(true);
    expect(await q.claim()).toBeUndefined();
    expect(await q.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 4, dead: 0 });
    for (const job of jobs) await job!.ack();
    await jobs[0]!.ack(); // idempotent
    expect(await q.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
  });

  it('redelivers an expired lease to another consumer (deliveries + 1); the old holder cannot ack', async () => {
    const name = uniqueName();
    // A lease long enough for the other claim to come before it ends on a loaded machine (200 ms did not, once).
    const q = await WorkQueue.create<string>(open(), name, { leaseMs: 1000, maxClockSkewMs: 0 });
    await q.push('job');
    const first = (await q.claim())!;
    const other = WorkQueue.bind<string>(open(), name);
    expect(await other.claim()).toBeUndefined(); // leased
    await sleep(1050);
    const second = (await other.claim({ waitMs: 1000 }))!;
    expect(second).toMatchObject({ id: first.id, value: 'job', deliveries: 2 });
    await expect(first.ack()).rejects.toBeInstanceOf(LeaseExpiredError);
    await expect(first.extend(1000)).rejects.toMatchObject({ code: 'MCC_ERR_LEASE_EXPIRED' });
    await second.ack();
    expect(other.sweepCounters.redelivered).toBe(1);
    expect(await other.claim({ waitMs: 300 })).toBeUndefined();
  });

  it('still accepts an ack after the lease ended when nobody took the job over', async () => {
    const q = await WorkQueue.create<string>(open(), uniqueName(), { leaseMs: 100, maxClockSkewMs: 0 });
    await q.push('late');
    const job = (await q.claim())!;
    await sleep(150);
    await job.ack();
    expect(await q.claim({ waitMs: 200 })).toBeUndefined();
  });

  it('extend keeps a job from redelivery', async () => {
    const name = uniqueName();
    const q = await WorkQueue.create<string>(open(), name, { leaseMs: 200, maxClockSkewMs: 0 });
    await q.push('long');
    const job = (await q.claim())!;
    const other = WorkQueue.bind<string>(open(), name);
    const started = Date.now();
    while (Date.now() - started < 800) {
      // Four times the 200 ms lease in all; each extension reaches well past the next check.
      const before = Date.now();
      await job.extend(1000);
      expect(job.leaseUntil).toBeGreaterThanOrEqual(before + 1000);
      expect(await other.claim({ waitMs: 150 })).toBeUndefined();
    }
    await job.ack();
    await sleep(300);
    expect(await other.claim({ waitMs: 100 })).toBeUndefined();
  });

  it('does not hand out a delayed job early, and does once it is due', async () => {
    const q = await WorkQueue.create<string>(open(), uniqueName(), { leaseMs: 5000 });
    const pushedAt = Date.now();
    await q.push('later', { delayMs: 1500 }); // long enough for a claim before it is due on a loaded machine
    await q.push('now');
    expect((await q.claim())!.value).toBe('now');
    expect(await q.stats()).toMatchObject({ delayed: 1 });
    // Claim in short waits until it comes: never before its due time, however slow the machine.
    let emptyBeforeDue = 0;
    for (;;) {
      const job = await q.claim({ waitMs: 50 });
      const at = Date.now();
      if (job === undefined) {
        if (at < pushedAt + 1500) emptyBeforeDue++;
        expect(at - pushedAt).toBeLessThan(6000);
        continue;
      }
      expect(job.value).toBe('later');
      expect(at - pushedAt).toBeGreaterThanOrEqual(1500);
      break;
    }
    expect(emptyBeforeDue).toBeGreaterThan(0);
  });

  it('nack puts the job back (now or after a delay), counting a delivery', async () => {
    const q = await WorkQueue.create<string>(open(), uniqueName(), { leaseMs: 5000 });
    await q.push('retry');
    const first = (await q.claim())!;
    await first.nack();
    const second = (await q.claim({ waitMs: 500 }))!;
    expect(second).toMatchObject({ id: first.id, deliveries: 2 });
    const nackedAt = Date.now();
    await second.nack({ delayMs: 300 });
    const third = (await q.claim({ waitMs: 2000 }))!;
    expect(third.deliveries).toBe(3);
    expect(Date.now() - nackedAt).toBeGreaterThanOrEqual(300); // not before its delay
    await expect(first.ack()).rejects.toBeInstanceOf(InvalidArgumentError); // already nacked
  });

  it('moves a job to the dead letters after maxDeliveries claims', async () => {
    const q = await WorkQueue.create<string>(open(), uniqueName(), { leaseMs: 100, maxDeliveries: 2, maxClockSkewMs: 0 });
    const id = await q.push('poison');
    expect((await q.claim())!.deliveries).toBe(1);
    await sleep(120);
    expect((await q.claim({ waitMs: 500 }))!.deliveries).toBe(2);
    await sleep(120);
    expect(await q.claim({ waitMs: 300 })).toBeUndefined();
    expect(await q.deadLetters.range(0, -1)).toEqual([{ id, value: 'poison', deliveries: 2 }]);
    expect(await q.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 1 });
  });

  it('jobs() iterates until aborted', async () => {
    const q = await WorkQueue.create<number>(open(), uniqueName(), { leaseMs: 5000 });
    await q.pushMany([1, 2, 3]);
    const controller = new AbortController();
    const seen: number[] = [];
    for await (const job of q.jobs({ signal: controller.signal })) {
      seen.push(job.value);
      await job.ack();
      if (seen.length === 3) setTimeout(() => controller.abort(), 50);
    }
    expect(seen).toEqual([1, 2, 3]);
  });

  it('create, bind and open: taken names, missing queues, stored settings, bad input', async () => {
    const store = open();
    const name = uniqueName();
    await expect(WorkQueue.bind(store, name).push(1)).rejects.toBeInstanceOf(QueueNotFoundError);
    const q = await WorkQueue.open<number>(store, name, { leaseMs: 150, maxDeliveries: 1, maxClockSkewMs: 0 });
    await expect(WorkQueue.create(store, name)).rejects.toBeInstanceOf(QueueExistsError);
    const again = await WorkQueue.open<number>(open(), name, { maxClockSkewMs: 0 });
    await again.push(9);
    expect((await q.claim())!.value).toBe(9);
    await sleep(200);
    expect(await again.claim({ waitMs: 200 })).toBeUndefined(); // maxDeliveries 1 and leaseMs 150 came from the record
    expect((await again.deadLetters.popLeft())!.value).toBe(9);
    await expect(q.push(undefined as unknown as number)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(q.push(1, { delayMs: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(WorkQueue.create(store, uniqueName(), { leaseMs: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(WorkQueue.create(store, 'bad name!')).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await q.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
  });

  it('carries large values (stored in items of their own) through claim, redelivery and ack', async () => {
    const q = await WorkQueue.create<string>(open(), uniqueName(), { leaseMs: 100, maxClockSkewMs: 0 });
    const big = 'v'.repeat(20_000);
    await q.push(big);
    expect((await q.claim())!.value).toBe(big);
    await sleep(120);
    const again = (await q.claim({ waitMs: 500 }))!;
    expect(again).toMatchObject({ value: big, deliveries: 2 });
    await again.ack();
    expect(await q.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
  });

  it('does not take over a lease before its end plus maxClockSkewMs', async () => {
    const name = uniqueName();
    const q = await WorkQueue.create<string>(open(), name, { leaseMs: 100 });
    await q.push('skewed');
    const claimedAt = Date.now();
    const first = (await q.claim())!;
    const other = WorkQueue.bind<string>(open(), name, { maxClockSkewMs: 400 });
    const second = (await other.claim({ waitMs: 2000 }))!;
    expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(500);
    expect(second.deliveries).toBe(2);
    await expect(first.ack()).rejects.toBeInstanceOf(LeaseExpiredError);
  });

  it('reports a foreign record in the ready deque as corruption instead of skipping it', async () => {
    const store = open();
    const name = uniqueName();
    const q = await WorkQueue.create<string>(store, name);
    await Deque.bind(store, `${name}/ready`).append({ not: 'a job' });
    await expect(q.claim()).rejects.toBeInstanceOf(QueueCorruptedError);
    expect(await Deque.bind(store, `${name}/ready`).length()).toBe(1); // nothing was taken
  });

  it('expire lets an abandoned queue leave memcached', async () => {
    const store = open();
    const name = uniqueName();
    const q = await WorkQueue.create<string>(store, name);
    await q.pushMany(['a', 'b']);
    await (await q.claim())!.ack();
    await q.push('later', { delayMs: 60_000 });
    await q.expire(1);
    await sleep(2200);
    for (const deque of ['ready', 'taken', 'delayed', 'dead']) expect(await Deque.exists(store, `${name}/${deque}`)).toBe(false);
    await expect(WorkQueue.bind(store, name).stats()).rejects.toBeInstanceOf(QueueNotFoundError);
  });

  it('finds a due delayed job behind more than a sweep window of later ones', async () => {
    const q = await WorkQueue.create<string>(open(), uniqueName(), { leaseMs: 5000 });
    await Promise.all(Array.from({ length: 300 }, (_, k) => q.push(`far-${k}`, { delayMs: 60_000 })));
    const pushedAt = Date.now();
    await q.push('soon', { delayMs: 200 });
    const job = (await q.claim({ waitMs: 5000 }))!;
    expect(job.value).toBe('soon');
    expect(Date.now() - pushedAt).toBeGreaterThanOrEqual(200);
    expect(await q.stats()).toMatchObject({ ready: 0, delayed: 300 });
  });

  it('completes the takeover of a sweeper that died after marking a lease expired (helping)', async () => {
    const store = open();
    const name = uniqueName();
    const q = await WorkQueue.create<string>(store, name, { leaseMs: 60_000 });
    await q.push('orphan');
    const holder = (await q.claim())!;
    // A sweeper wrote the takeover marker, then died before its transaction.
    await store.add(`mcc:q:${name}:m:${holder.id}:1`, { s: 'x' });
    const other = WorkQueue.bind<string>(open(), name);
    const job = (await other.claim({ waitMs: 1000 }))!; // long before the 60 s lease ends
    expect(job).toMatchObject({ id: holder.id, deliveries: 2 });
    await expect(holder.ack()).rejects.toBeInstanceOf(LeaseExpiredError);
    await job.ack();
    expect(await q.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
  });

  it('keeps the lease log short under steady load: claimers collect acked entries as fast as they add leases', async () => {
    const store = open();
    const name = uniqueName();
    const q = await WorkQueue.create<number>(store, name, { leaseMs: 30_000 });
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 3000) {
          await q.push(next++);
          await (await q.claim({ waitMs: 1000 }))!.ack();
        }
      }),
    );
    // 3000 leases went through the log; what is left is at most about a window of acked entries.
    expect(await Deque.bind(store, `${name}/taken`).length()).toBeLessThanOrEqual(300);
    expect(await q.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
  }, 90_000); // ~1 s on a quiet machine; beyond 30 s once at load 8
});
