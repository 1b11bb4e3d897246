/**
 * `mcc:queue:op` (src/tracing.ts) against real memcached: one trace per
 * push, claim, ack, nack, extend and lease-log sweep, with the queue's
 * name, the job ids, the delivery and the outcome (a lease taken over shows
 * as 'expired'); nothing is published while nobody subscribes.
 */
import { channel, tracingChannel } from 'node:diagnostics_channel';
import { useMemcached, recordTraces, TRACE_PHASES, type TracePhase, sleep } from '@mcc/harness';
import { LeaseExpiredError, WorkQueue, type QueueOpMessage } from '../src';
import { storeFactory } from './helpers';
import * as tracing from '../src/tracing';

type Phase = TracePhase;

const cluster = useMemcached(2, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

let counter = 0;
const uniqueName = (): string => `traced-q-${process.pid}-${Date.now()}-${counter++}`;

const recorded = (body: () => Promise<void>): Promise<Map<QueueOpMessage, Phase[]>> => recordTraces<QueueOpMessage>('mcc:queue:op', body);

test('push, pushMany, claim, extend, nack, ack and an empty claim: kind, job ids, delivery, outcome', async () => {
  const name = uniqueName();
  const q = await WorkQueue.create<number>(stores.open(cluster.addresses), name, { leaseMs: 5000 });
  let ids: string[] = [];
  const rest: Array<{ id: string; deliveries: number }> = [];
  const traces = await recorded(async () => {
    ids = [await q.push(1), ...(await q.pushMany([2, 3]))];
    const first = (await q.claim())!;
    await first.extend(10_000);
    await first.ack();
    const second = (await q.claim())!;
    await second.nack();
    // The nacked job comes back through a sweep at a later claim: before or after job 3, whichever that claim finds.
    for (const job of [(await q.claim())!, (await q.claim())!]) {
      await job.ack();
      rest.push({ id: job.id, deliveries: job.deliveries });
    }
    expect(await q.claim()).toBeUndefined();
  });
  expect(rest.map(({ id, deliveries }) => `${id}:${deliveries}`).sort()).toEqual([`${ids[1]}:2`, `${ids[2]}:1`].sort());
  const traced = [...traces.keys()];
  expect([...traces.values()].every((phases) => phases.join() === 'start,end,asyncStart,asyncEnd')).toBe(true);
  expect(traced.every((message) => message.queue === name)).toBe(true);
  const operations = traced.filter((message) => message.kind !== 'sweep').map(({ kind, jobIds, delivery, outcome }) => ({ kind, jobIds, delivery, outcome }));
  expect(operations).toEqual([
    { kind: 'push', jobIds: [ids[0]], delivery: null, outcome: 'ok' },
    { kind: 'push', jobIds: [ids[1], ids[2]], delivery: null, outcome: 'ok' },
    { kind: 'claim', jobIds: [ids[0]], delivery: 1, outcome: 'ok' },
    { kind: 'extend', jobIds: [ids[0]], delivery: 1, outcome: 'ok' },
    { kind: 'ack', jobIds: [ids[0]], delivery: 1, outcome: 'ok' },
    { kind: 'claim', jobIds: [ids[1]], delivery: 1, outcome: 'ok' },
    { kind: 'nack', jobIds: [ids[1]], delivery: 1, outcome: 'ok' },
    ...rest.map(({ id, deliveries }) => ({ kind: 'claim', jobIds: [id], delivery: deliveries, outcome: 'ok' })),
    ...rest.map(({ id, deliveries }) => ({ kind: 'ack', jobIds: [id], delivery: deliveries, outcome: 'ok' })),
    { kind: 'claim', jobIds: [], delivery: null, outcome: 'empty' },
  ]);
  // The nacked job came back through a sweep, traced on its own (inside the claim).
  const sweeps = traced.filter((message) => message.kind === 'sweep');
  expect(sweeps.length).toBeGreaterThanOrEqual(1);
  expect(sweeps.reduce((sum, message) => sum + message.sweep!.nacked, 0)).toBe(1);
});

test('a lease taken over: the old holder\'s ack is an error event with outcome expired', async () => {
  const name = uniqueName();
  const q = await WorkQueue.create<string>(stores.open(cluster.addresses), name, { leaseMs: 200, maxClockSkewMs: 0 });
  await q.push('job');
  const first = (await q.claim())!;
  await sleep(250);
  const second = (await WorkQueue.bind<string>(stores.open(cluster.addresses), name).claim({ waitMs: 1000 }))!;
  expect(second.deliveries).toBe(2);
  const traces = await recorded(async () => {
    await expect(first.ack()).rejects.toBeInstanceOf(LeaseExpiredError);
  });
  expect([...traces.values()]).toEqual([['start', 'end', 'error', 'asyncStart', 'asyncEnd']]);
  const [message] = [...traces.keys()] as [QueueOpMessage];
  expect(message).toMatchObject({ queue: name, kind: 'ack', jobIds: [first.id], delivery: 1, outcome: 'expired' });
  expect(message.error).toBeInstanceOf(LeaseExpiredError);
  await second.ack();
});

test('nobody subscribed: nothing is published', async () => {
  const q = await WorkQueue.create<number>(stores.open(cluster.addresses), uniqueName());
  const spies = TRACE_PHASES.map((phase) => jest.spyOn(channel(`tracing:mcc:queue:op:${phase}`), 'publish'));
  const traced = jest.spyOn(tracing, 'traceQueueOp'); // no message is built: the trace is never started
  try {
    expect(tracingChannel('mcc:queue:op').hasSubscribers).toBe(false);
    await q.push(1);
    await (await q.claim())!.ack();
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    expect(traced).not.toHaveBeenCalled();
  } finally {
    traced.mockRestore();
    for (const spy of spies) spy.mockRestore();
  }
});

test('stats and expire are traced (kind stats / expire, no job ids); the deque transactions of a claim nest on mcc:deque:op as transact', async () => {
  const name = uniqueName();
  const q = await WorkQueue.create<string>(stores.open(cluster.addresses), name);
  await q.push('a');
  const dequeKinds: string[] = [];
  const onDeque = { start: (message: unknown) => void dequeKinds.push((message as { kind: string }).kind), end() {}, asyncStart() {}, asyncEnd() {}, error() {} };
  tracingChannel('mcc:deque:op').subscribe(onDeque as never);
  let traces: Awaited<ReturnType<typeof recorded>>;
  try {
    traces = await recorded(async () => {
      expect(await q.stats()).toEqual({ ready: 1, delayed: 0, inFlight: 0, dead: 0 });
      await (await q.claim())!.ack();
      await q.expire(3600);
    });
  } finally {
    tracingChannel('mcc:deque:op').unsubscribe(onDeque as never);
  }
  const summary = [...traces.keys()].filter((message) => message.kind !== 'sweep').map(({ kind, jobIds, outcome }) => ({ kind, jobIds: jobIds.length, outcome }));
  expect(summary).toEqual([
    { kind: 'stats', jobIds: 0, outcome: 'ok' },
    { kind: 'claim', jobIds: 1, outcome: 'ok' },
    { kind: 'ack', jobIds: 1, outcome: 'ok' },
    { kind: 'expire', jobIds: 0, outcome: 'ok' },
  ]);
  expect(dequeKinds).toContain('transact'); // the claim's MCAS over ready and the lease log
  expect(dequeKinds.filter((kind) => kind === 'expire')).toHaveLength(4); // its four deques
  await q.expire(0);
});
