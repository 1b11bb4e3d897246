/**
 * `q.destroy()` against real memcached: the record, the four deques (their
 * anchors and chunks) and the markers of the lease log's deliveries are
 * gone; handles reject with QueueNotFoundError; the name can be created
 * again, and the new queue sees none of the old jobs — not even through a
 * handle held across the destroy (packages/deque/test/recreated.test.ts).
 */
import { recordTraces, useMemcached } from '@mcc/harness';
import { QueueNotFoundError, WorkQueue, type QueueOpMessage, type Store } from '../src';
import { storeFactory, uniqueNames } from './helpers';

const cluster = useMemcached(2, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

const uniqueName = uniqueNames('dq');
const open = () => stores.open(cluster.addresses);

const DEQUES = ['ready', 'taken', 'delayed', 'dead'];
const anchorKey = (name: string, deque: string): string => `mcc:dq:${name}/${deque}`;

/** The keys of a deque's chunks, as its anchor names them now. */
async function chunkKeys(store: Store, name: string, deque: string): Promise<string[]> {
  const anchor = (await store.get<{ a: number; b: number }>(anchorKey(name, deque)))!.value;
  return Array.from({ length: Math.max(0, anchor.b - anchor.a + 1) }, (_, k) => `${anchorKey(name, deque)}:c:${anchor.a + k}`);
}

/** Which of these keys still hold an item (raw reads). */
async function present(store: Store, keys: readonly string[]): Promise<string[]> {
  return [...(await store.getMulti(keys)).keys()];
}

describe('destroy', () => {
  it('removes the record, the four deques and the markers of the leased deliveries', async () => {
    const store = open();
    const name = uniqueName();
    const q = await WorkQueue.create<string>(store, name, { leaseMs: 30_000 });
    for (let k = 0; k < 20; k++) await q.pushMany(Array.from({ length: 20 }, (_, j) => `job-${k}-${j}-${'x'.repeat(100)}`)); // ready flushes chunks
    await q.push('later', { delayMs: 60_000 });
    await q.deadLetters.append({ id: 'given-up', value: 'dead', deliveries: 5 });
    const [acked, nacked, extended] = [(await q.claim())!, (await q.claim())!, (await q.claim())!];
    await acked.ack();
    await nacked.nack({ delayMs: 60_000 });
    await extended.extend(60_000);
    const markers = [acked, nacked, extended].map((job) => `mcc:q:${name}:m:${job.id}:1`);
    const chunks = await chunkKeys(store, name, 'ready');
    expect(chunks.length).toBeGreaterThan(0);
    const records = [`mcc:q:${name}`, ...DEQUES.map((deque) => anchorKey(name, deque)), ...markers, ...chunks];
    expect(await present(store, records)).toEqual(records); // all there before

    await q.destroy();
    expect(await present(store, records)).toEqual([]);
  });

  it('afterwards: handles reject with QueueNotFoundError, a second destroy too; create works again and the new queue is empty', async () => {
    const name = uniqueName();
    const q = await WorkQueue.create<number>(open(), name);
    await q.pushMany([1, 2, 3]);
    const held = WorkQueue.bind<number>(open(), name); // used before the destroy: its settings and anchors are cached
    expect((await held.claim())!.value).toBe(1);
    await q.destroy();

    await expect(WorkQueue.bind<number>(open(), name).push(4)).rejects.toBeInstanceOf(QueueNotFoundError);
    await expect(WorkQueue.bind<number>(open(), name).claim()).rejects.toBeInstanceOf(QueueNotFoundError);
    await expect(q.push(4)).rejects.toBeInstanceOf(QueueNotFoundError); // the destroying handle forgot the record
    await expect(q.destroy()).rejects.toBeInstanceOf(QueueNotFoundError);
    // A handle that had used the queue: its deques' anchors vanished, and the queue says what that means.
    await expect(held.push(4)).rejects.toBeInstanceOf(QueueNotFoundError);
    await expect(held.stats()).rejects.toBeInstanceOf(QueueNotFoundError);

    const again = await WorkQueue.create<number>(open(), name);
    expect(await again.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
    expect(await again.claim()).toBeUndefined();
    const id = await again.push(10);
    // The handle held across the destroy sees the new queue only.
    const job = (await held.claim())!;
    expect({ id: job.id, value: job.value, deliveries: job.deliveries }).toEqual({ id, value: 10, deliveries: 1 });
    await job.ack();
    expect(await held.claim()).toBeUndefined();
    expect(await again.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
  });

  it('a destroy that failed half-way is finished by calling it again, from any handle (the record goes last)', async () => {
    const store = open();
    const name = uniqueName();
    const q = await WorkQueue.create<number>(store, name);
    await q.pushMany([1, 2]);
    const other = WorkQueue.bind<number>(open(), name);
    await other.stats(); // it has seen every deque: one vanishing is corruption to its own deque handles
    await q.deadLetters.destroy(); // as a destroy that stopped after one of the deques
    expect(await present(store, [`mcc:q:${name}`, anchorKey(name, 'dead')])).toEqual([`mcc:q:${name}`]); // the queue still exists
    await other.destroy();
    expect(await present(store, [`mcc:q:${name}`, ...DEQUES.map((deque) => anchorKey(name, deque))])).toEqual([]);
    await WorkQueue.create<number>(open(), name);
  });

  it('is traced as kind destroy', async () => {
    const q = await WorkQueue.create<number>(open(), uniqueName());
    const traces = await recordTraces<QueueOpMessage>('mcc:queue:op', () => q.destroy());
    expect([...traces.keys()].map(({ queue, kind, outcome }) => ({ queue, kind, outcome }))).toEqual([{ queue: q.name, kind: 'destroy', outcome: 'ok' }]);
  });
});
