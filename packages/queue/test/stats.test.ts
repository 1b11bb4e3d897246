/**
 * `stats()` counts a job where it stands, also between its settlement and the
 * sweep that moves it on: a nacked or taken-over delivery stays in the lease
 * log until a claim's sweep, and was counted nowhere before (all four counts
 * 0 right after a nack, with the job still in the queue).
 */
import { useMemcached } from '@mcc/harness';
import { WorkQueue } from '../src';
import { storeFactory } from './helpers';

const cluster = useMemcached(2, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

let counter = 0;
const uniqueName = (): string => `qs-${process.pid}-${Date.now()}-${counter++}`;
const open = () => stores.open(cluster.addresses);

describe('WorkQueue stats before the sweep', () => {
  it('counts a nacked job as ready, or as delayed with a delay, until a sweep moves it', async () => {
    const q = await WorkQueue.create<string>(open(), uniqueName());
    await q.pushMany(['now', 'later']);
    const [now, later] = [(await q.claim())!, (await q.claim())!];
    expect(await q.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 2, dead: 0 });
    await now.nack();
    await later.nack({ delayMs: 60_000 });
    // Another handle (nothing of this process's claimer in play) sees the same.
    const observer = WorkQueue.bind<string>(open(), q.name);
    expect(await observer.stats()).toEqual({ ready: 1, delayed: 1, inFlight: 0, dead: 0 });
    // The sweep of the next claim puts them there: the counts do not change, the job comes back.
    const again = await observer.claim();
    expect(again).toMatchObject({ value: 'now', deliveries: 2 });
    expect(await observer.stats()).toEqual({ ready: 0, delayed: 1, inFlight: 1, dead: 0 });
  });

  it('counts a nacked last delivery as dead', async () => {
    const q = await WorkQueue.create<string>(open(), uniqueName(), { maxDeliveries: 1 });
    await q.push('poison');
    await (await q.claim())!.nack();
    expect(await q.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 1 });
    expect(await q.deadLetters.length()).toBe(0); // not moved yet
    expect(await q.claim({ waitMs: 300 })).toBeUndefined(); // a sweep while it waits moves it (sweeps are at least 10 ms apart)
    expect(await q.deadLetters.length()).toBe(1);
    expect(await q.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 1 });
  });

  it('counts a lease taken over by a sweeper that died before moving it as ready', async () => {
    const store = open();
    const q = await WorkQueue.create<string>(store, uniqueName(), { leaseMs: 1000 });
    await q.push('job');
    const job = (await q.claim())!;
    // What a sweeper leaves when it dies between writing 'x' (it won the race with the holder's ack) and its transaction.
    expect(await store.add(`mcc:q:${q.name}:m:${job.id}:1`, { s: 'x' })).not.toBeNull();
    expect(await WorkQueue.bind(open(), q.name).stats()).toEqual({ ready: 1, delayed: 0, inFlight: 0, dead: 0 });
  });
});
