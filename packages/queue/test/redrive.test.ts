/**
 * `q.redrive()` against real memcached: dead letters back into `ready`,
 * oldest first onto its back, under fresh ids with deliveries from 0 — one
 * transaction per batch, so concurrent redrives and consumers neither lose
 * nor duplicate a job. (Lost replies: redrive-faults.test.ts.)
 */
import { useMemcached, recordTraces, sleep } from '@mcc/harness';
import { Deque, InvalidArgumentError, QueueCorruptedError, QueueNotFoundError, WorkQueue, type DeadLetter, type Job, type QueueOpMessage, type RedrivenJob } from '../src';
import { storeFactory, uniqueNames, writesDuring } from './helpers';

const cluster = useMemcached(2, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

const uniqueName = uniqueNames('rq');
const open = () => stores.open(cluster.addresses);

/** The raw `ready` deque of a queue: its items `{i, v, d}` as stored. */
const rawReady = (q: Pick<WorkQueue, 'store' | 'name'>) => Deque.bind<{ i: string; v: unknown; d: number }>(q.store, `${q.name}/ready`);

/** Valid dead letters, as a user (or a restored backup) may push them. */
const letters = (count: number, from = 0): DeadLetter<number>[] => Array.from({ length: count }, (_, k) => ({ id: `old-${from + k}`, value: from + k, deliveries: 3 }));

describe('redrive', () => {
  it('moves dead letters to the back of ready, oldest first, under fresh ids; they claim with deliveries 1 and ack', async () => {
    const q = await WorkQueue.create<string>(open(), uniqueName(), { leaseMs: 300, maxDeliveries: 1, maxClockSkewMs: 0 });
    const [nackedId, expiredId] = await q.pushMany(['nacked', 'expired']);
    const nacked = (await q.claim())!;
    const expired = (await q.claim())!;
    await nacked.nack(); // its marker of delivery 1 is 'n'
    await sleep(350); // the other's lease expires: a sweep marks its delivery 1 'x'
    expect(await q.claim({ waitMs: 300 })).toBeUndefined(); // the sweep dead-letters both
    expect(expired.id).toBe(expiredId);
    expect(await q.deadLetters.range(0, -1)).toEqual([
      { id: nackedId, value: 'nacked', deliveries: 1 },
      { id: expiredId, value: 'expired', deliveries: 1 },
    ]);
    const waitingId = await q.push('waiting');

    const redriven = await q.redrive();
    expect(redriven.map((job) => job.from)).toEqual([nackedId, expiredId]);
    const newIds = redriven.map((job) => job.id);
    expect(new Set([...newIds, nackedId, expiredId, waitingId]).size).toBe(5);
    expect(await rawReady(q).range(0, -1)).toEqual([
      { i: waitingId, v: 'waiting', d: 0 },
      { i: newIds[0], v: 'nacked', d: 0 },
      { i: newIds[1], v: 'expired', d: 0 },
    ]);
    expect(await q.stats()).toEqual({ ready: 3, delayed: 0, inFlight: 0, dead: 0 });

    // Under the old ids, delivery 1 would meet the old markers ('n', 'x') and these acks would fail.
    const jobs = [(await q.claim())!, (await q.claim())!, (await q.claim())!];
    expect(jobs.map(({ id, value, deliveries }) => ({ id, value, deliveries }))).toEqual([
      { id: waitingId, value: 'waiting', deliveries: 1 },
      { id: newIds[0], value: 'nacked', deliveries: 1 },
      { id: newIds[1], value: 'expired', deliveries: 1 },
    ]);
    for (const job of jobs) await job.ack();
    await sleep(350); // past the leases: an ack that had not counted would show as a redelivery now
    expect(await q.claim({ waitMs: 200 })).toBeUndefined();
    expect(await q.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
  });

  it('max bounds how many, oldest first; without it, all there were, in batches beyond 256; none left: []', async () => {
    const q = await WorkQueue.create<number>(open(), uniqueName());
    await q.deadLetters.extend(letters(600));
    const first = await q.redrive({ max: 2 });
    expect(first.map((job) => job.from)).toEqual(['old-0', 'old-1']);
    const second = await q.redrive({ max: 300 }); // two transactions: 256 + 44
    expect(second.map((job) => job.from)).toEqual(letters(300, 2).map((letter) => letter.id));
    expect(await q.deadLetters.range(0, -1)).toEqual(letters(298, 302));
    const rest = await q.redrive();
    expect(rest.map((job) => job.from)).toEqual(letters(298, 302).map((letter) => letter.id));
    expect(await q.redrive()).toEqual([]);
    expect(await q.redrive({ max: 10 })).toEqual([]);
    const all = [...first, ...second, ...rest];
    expect(new Set(all.map((job) => job.id)).size).toBe(600);
    expect(await rawReady(q).range(0, -1)).toEqual(all.map((job, k) => ({ i: job.id, v: k, d: 0 })));
    // max beyond what is there: what is there.
    await q.deadLetters.extend(letters(3, 600));
    expect((await q.redrive({ max: 1000 })).map((job) => job.from)).toEqual(['old-600', 'old-601', 'old-602']);
  });

  it('refuses a bad max before any I/O', async () => {
    const store = open();
    const missing = WorkQueue.bind(store, uniqueName()); // a missing queue would reject with QueueNotFoundError once I/O began
    for (const max of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '3' as unknown as number, null as unknown as number]) {
      expect(await writesDuring(store, () => expect(missing.redrive({ max })).rejects.toBeInstanceOf(InvalidArgumentError))).toBe(0);
    }
    await expect(missing.redrive()).rejects.toBeInstanceOf(QueueNotFoundError);
  });

  it.each([
    ['a string', 'garbage'],
    ['null', null],
    ['an array', ['old-x', 1, 1]],
    ['without an id', { value: 1, deliveries: 1 }],
    ['with a number for an id', { id: 7, value: 1, deliveries: 1 }],
    ['without a value', { id: 'old-x', deliveries: 1 }],
    ['with deliveries 0', { id: 'old-x', value: 1, deliveries: 0 }],
    ['with fractional deliveries', { id: 'old-x', value: 1, deliveries: 1.5 }],
    ['with deliveries as a string', { id: 'old-x', value: 1, deliveries: '1' }],
  ])('a hostile dead letter (%s): QueueCorruptedError, dead letters and ready unchanged', async (_, hostile) => {
    const q = await WorkQueue.create<number>(open(), uniqueName());
    await q.push(-1);
    const dead = Deque.bind<unknown>(q.store, `${q.name}/dead`);
    await dead.extend([...letters(2), hostile, ...letters(2, 2)]);
    const deadBefore = await dead.range(0, -1);
    const readyBefore = await rawReady(q).range(0, -1);
    await expect(q.redrive()).rejects.toBeInstanceOf(QueueCorruptedError);
    await expect(q.redrive({ max: 3 })).rejects.toBeInstanceOf(QueueCorruptedError); // the first three include it
    expect(await dead.range(0, -1)).toEqual(deadBefore);
    expect(await rawReady(q).range(0, -1)).toEqual(readyBefore);
  });

  it('a hostile dead letter in a later batch: the batches before it are redriven, its batch is left as it was', async () => {
    const q = await WorkQueue.create<number>(open(), uniqueName());
    const dead = Deque.bind<unknown>(q.store, `${q.name}/dead`);
    await dead.extend([...letters(300), { id: 'old-hostile' }, ...letters(2, 300)]);
    const error = await q.redrive().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueueCorruptedError);
    expect((error as Error).message).toContain('dead letter 300 ');
    expect((await rawReady(q).range(0, -1)).map((item) => item.v)).toEqual(letters(256).map((letter) => letter.value));
    expect(await dead.range(0, -1)).toEqual([...letters(44, 256), { id: 'old-hostile' }, ...letters(2, 300)]);
  });

  it('is traced as kind redrive with the new ids', async () => {
    const q = await WorkQueue.create<number>(open(), uniqueName());
    await q.deadLetters.extend(letters(3));
    let redriven: RedrivenJob[] = [];
    const traces = await recordTraces<QueueOpMessage>('mcc:queue:op', async () => {
      redriven = await q.redrive();
    });
    expect([...traces.keys()].map(({ queue, kind, jobIds, delivery, outcome }) => ({ queue, kind, jobIds, delivery, outcome }))).toEqual([
      { queue: q.name, kind: 'redrive', jobIds: redriven.map((job) => job.id), delivery: null, outcome: 'ok' },
    ]);
    expect([...traces.values()]).toEqual([['start', 'end', 'asyncStart', 'asyncEnd']]);
  });
});

describe('redrive under concurrency', () => {
  it('redrivers on several connections while consumers claim, ack and nack back to the dead letters: every job acked once, no dead letter redriven twice', async () => {
    const COUNT = 300;
    const name = uniqueName();
    const setup = await WorkQueue.create<number>(open(), name, { leaseMs: 20_000, maxDeliveries: 1 });
    await setup.deadLetters.extend(letters(COUNT));
    const seeds = letters(COUNT).map((letter) => letter.id);

    const ackedValues: number[] = [];
    const ackedIds: string[] = [];
    const nackedIds: string[] = [];
    const redriven: RedrivenJob[] = [];
    const done = (): boolean => ackedValues.length >= COUNT;
    const deadline = Date.now() + 40_000;

    const redriver = async (q: WorkQueue<number>): Promise<void> => {
      while (!done() && Date.now() < deadline) {
        const batch = await q.redrive({ max: 1 + Math.floor(Math.random() * 40) });
        redriven.push(...batch);
        if (batch.length === 0) await sleep(5);
      }
    };
    const consumer = async (q: WorkQueue<number>): Promise<void> => {
      while (!done() && Date.now() < deadline) {
        const job: Job<number> | undefined = await q.claim({ waitMs: 20 });
        if (job === undefined) continue;
        // maxDeliveries 1: a nacked job goes back to the dead letters (by a sweep), to be redriven again.
        if (Math.random() < 0.3) {
          await job.nack();
          nackedIds.push(job.id);
        } else {
          await job.ack();
          ackedIds.push(job.id);
          ackedValues.push(job.value);
        }
      }
    };
    await Promise.all([
      ...Array.from({ length: 3 }, () => redriver(WorkQueue.bind<number>(open(), name))),
      ...Array.from({ length: 3 }, () => consumer(WorkQueue.bind<number>(open(), name))),
    ]);

    expect(ackedValues.length).toBe(COUNT); // not the deadline
    expect([...ackedValues].sort((x, y) => x - y)).toEqual(letters(COUNT).map((letter) => letter.value)); // each once
    expect(nackedIds.length).toBeGreaterThan(0);
    // No dead letter redriven twice, and exactly the seeds and the nacked jobs were dead letters.
    const froms = redriven.map((job) => job.from);
    expect(new Set(froms).size).toBe(froms.length);
    expect([...froms].sort()).toEqual([...seeds, ...nackedIds].sort());
    // Every job claimed came from a redrive, under a fresh id, and was claimed once.
    const newIds = redriven.map((job) => job.id);
    expect(new Set([...newIds, ...seeds]).size).toBe(newIds.length + seeds.length);
    expect([...ackedIds, ...nackedIds].sort()).toEqual([...newIds].sort());
    expect(await setup.stats()).toEqual({ ready: 0, delayed: 0, inFlight: 0, dead: 0 });
  }, 60_000);
});
