/**
 * One marker per claim batch (format 2): the deliveries of one claim
 * transaction share a marker item, a sweep acts on a batch only when it
 * sees all of its entries, and the marker is deleted by the sweep that
 * removes the batch's last entries — unless a slot was taken over.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import { useMemcached } from '@mcc/harness';
import { Deque, LeaseExpiredError, QueueCorruptedError, WorkQueue, type QueueOpMessage, type Store } from '../src';
import { storeFactory } from './helpers';

const server = useMemcached(1, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
let counter = 0;
const uniqueName = (): string => `bq-${process.pid}-${Date.now()}-${counter++}`;

interface Lease {
  readonly i: string;
  readonly b: string;
  readonly k: number;
  readonly r: number;
}
const leaseLog = (store: Store, name: string): Promise<Lease[]> => Deque.bind<Lease>(store, `${name}/taken`).range(0, -1);
const markerOf = (store: Store, name: string, batch: string): Promise<unknown> => store.get(`mcc:q:${name}:b:${batch}`).then((entry) => entry?.value ?? null);
/** A fresh handle sweeps the lease log before its first claim: one sweep, and nothing claimed (ready is empty). */
async function sweepOnce(store: Store, name: string): Promise<void> {
  expect(await WorkQueue.bind(store, name).claim()).toBeUndefined();
  await sleep(30); // the sweep's quiet deletes
}

describe('batch markers', () => {
  it('refuses a format-1 queue (per-delivery markers) with a clear error', async () => {
    const store = stores.open(server.addresses);
    const name = uniqueName();
    await store.add(`mcc:q:${name}`, { v: 1, l: 30_000, m: 5 });
    const error = await WorkQueue.bind(store, name).push(1).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueueCorruptedError);
    expect((error as Error).message).toMatch(/format 1/);
  });

  it('a sweep removes the settled part of a batch, keeps the rest together with its new count, and the last sweep deletes the marker', async () => {
    const store = stores.open(server.addresses);
    const name = uniqueName();
    const q = await WorkQueue.create<number>(store, name, { leaseMs: 30_000 });
    await q.pushMany([0, 1, 2]);
    const jobs = (await Promise.all([q.claim(), q.claim(), q.claim()])).map((job) => job!);
    const before = await leaseLog(store, name);
    expect(before.map((lease) => [lease.k, lease.r])).toEqual([[0, 3], [1, 3], [2, 3]]);
    expect(new Set(before.map((lease) => lease.b)).size).toBe(1);
    const batch = before[0]!.b;
    await jobs[1]!.ack();
    expect(await markerOf(store, name, batch)).toEqual([null, { s: 'a' }]);
    await sweepOnce(store, name);
    expect((await leaseLog(store, name)).map((lease) => [lease.i, lease.k, lease.r])).toEqual([
      [jobs[0]!.id, 0, 2],
      [jobs[2]!.id, 2, 2],
    ]);
    expect(await q.stats()).toMatchObject({ inFlight: 2 });
    await Promise.all([jobs[0]!.ack(), jobs[2]!.ack()]);
    await sweepOnce(store, name);
    expect(await leaseLog(store, name)).toEqual([]);
    expect(await markerOf(store, name, batch)).toBeNull();
    expect(await q.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
  });

  it("a takeover of one job leaves its siblings' acks alone; the late ack rejects, and the marker stays for it", async () => {
    const store = stores.open(server.addresses);
    const name = uniqueName();
    const q = await WorkQueue.create<string>(store, name, { leaseMs: 300, maxClockSkewMs: 0 });
    await q.pushMany(['a', 'b', 'c']);
    const [a, b, c] = (await Promise.all([q.claim(), q.claim(), q.claim()])).map((job) => job!);
    const [{ b: batch }] = await leaseLog(store, name);
    await Promise.all([a!.ack(), b!.ack()]);
    await c!.extend(150); // within the lease: no effect on the others
    await sleep(400); // past the lease and the extension
    const other = WorkQueue.bind<string>(stores.open(server.addresses), name, { maxClockSkewMs: 0 });
    const again = (await other.claim({ waitMs: 1000 }))!;
    expect(again).toMatchObject({ id: c!.id, value: 'c', deliveries: 2 });
    await expect(c!.ack()).rejects.toBeInstanceOf(LeaseExpiredError);
    await again.ack();
    expect(await other.claim({ waitMs: 500 })).toBeUndefined(); // a and b were acked: never redelivered
    await sweepOnce(store, name);
    expect(await markerOf(store, name, batch!)).toEqual([{ s: 'a' }, { s: 'a' }, { s: 'x' }]);
    await expect(c!.extend(1000)).rejects.toBeInstanceOf(LeaseExpiredError);
    expect(await q.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
  });

  it('a batch cut by the end of the sweep window is left whole for a later sweep', async () => {
    const store = stores.open(server.addresses);
    const name = uniqueName();
    const q = await WorkQueue.create<number>(store, name, { leaseMs: 30_000 });
    await q.pushMany(Array.from({ length: 314 }, (_, i) => i));
    const singles = [];
    for (let i = 0; i < 250; i++) singles.push((await q.claim())!);
    const batch = (await Promise.all(Array.from({ length: 64 }, () => q.claim()))).map((job) => job!);
    const log = await leaseLog(store, name);
    expect(log).toHaveLength(314);
    const big = log[250]!.b;
    expect(log.slice(250).every((lease) => lease.b === big && lease.r === 64)).toBe(true);
    await Promise.all([...singles, ...batch].map((job) => job.ack()));
    // The sweeps' reports (a claim that sweeps a mostly settled full window may sweep again at once).
    const reports: { seen: number; dropped: number }[] = [];
    const handlers = {
      start() {},
      end() {},
      asyncStart() {},
      asyncEnd: (message: QueueOpMessage) => void (message.queue === name && message.sweep !== undefined && message.sweep.dropped > 0 && reports.push(message.sweep)),
      error() {},
    };
    const channel = tracingChannel<unknown, QueueOpMessage>('mcc:queue:op');
    channel.subscribe(handlers);
    try {
      for (let round = 0; round < 3 && (await leaseLog(store, name)).length > 0; round++) await sweepOnce(store, name);
    } finally {
      channel.unsubscribe(handlers);
    }
    // The window (256 entries) held 6 of the batch's 64: the first sweep left the batch as it was, the next removed it whole.
    expect(reports.map((report) => [report.seen, report.dropped])).toEqual([
      [256, 250],
      [64, 64],
    ]);
    expect(await leaseLog(store, name)).toEqual([]);
    expect(await markerOf(store, name, big)).toBeNull();
    expect(await q.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
  });
});
