/**
 * `mcc:mcas:mcas` (src/tracing.ts) against real memcached: one trace per
 * mcas call with keys, locations, the round trips counted through the
 * store, and the outcome; the protocol commands nest inside it; nothing
 * is published while nobody subscribes.
 */
import { channel, tracingChannel } from 'node:diagnostics_channel';
import { AsyncLocalStorage } from 'node:async_hooks';
import { FaultProxy, useMemcached, recordTraces, TRACE_PHASES, type TracePhase } from '@mcc/harness';
import { InvalidArgumentError, mcas, mcasGetMulti, mcasOutcome, McasOutcomeUnknownError, type McasMessage, type Store } from '../src';
import { StorePool, uniqueKeys } from './helpers';
import * as tracing from '../src/tracing';

type Phase = TracePhase;

const mc = useMemcached(3, { evictions: false });
const pool = new StorePool();
let store: Store;
beforeAll(() => {
  store = pool.open(mc.addresses);
});
afterAll(() => pool.closeAll());

const recorded = (body: () => Promise<void>): Promise<Map<McasMessage, Phase[]>> => recordTraces<McasMessage>('mcc:mcas:mcas', body);

test('a successful MCAS over three entries: keys, locations, M+3 round trips (2M+2 requests), outcome true', async () => {
  const keys = uniqueKeys('traced', 3);
  await Promise.all(keys.map((key) => store.set(key, 1)));
  const entries = await mcasGetMulti<number>(store, keys);
  const traces = await recorded(async () => {
    expect(await mcas(store, keys.map((key) => [entries.get(key)!, 2]))).toBe(true);
  });
  expect([...traces.values()]).toEqual([['start', 'end', 'asyncStart', 'asyncEnd']]);
  const [message] = [...traces.keys()] as [McasMessage];
  expect(message).toMatchObject({ keys, locations: 3, roundTrips: 3 + 3, requests: 2 * 3 + 2, outcome: true, result: true });
  expect(message.writes).toBeGreaterThanOrEqual(1 + 3 + 1); // descriptor, acquisitions, decision (release writes may be unconditional)
});

test('a CAS mismatch: outcome false; one entry is one round trip', async () => {
  const keys = uniqueKeys('traced-mismatch', 2);
  await Promise.all(keys.map((key) => store.set(key, 1)));
  const stale = await mcasGetMulti<number>(store, keys);
  await store.set(keys[0]!, 5); // changes the first entry's CAS
  const traces = await recorded(async () => {
    expect(await mcas(store, keys.map((key) => [stale.get(key)!, 2]))).toBe(false);
    expect(await mcas(store, [[stale.get(keys[1]!)!, 3]])).toBe(true);
  });
  const [failed, single] = [...traces.keys()] as [McasMessage, McasMessage];
  expect(failed).toMatchObject({ keys, locations: 2, outcome: false, result: false });
  expect(failed.roundTrips).toBeGreaterThanOrEqual(2); // descriptor and the refused acquisition
  expect(single).toMatchObject({ keys: [keys[1]], locations: 1, roundTrips: 1, requests: 1, writes: 1, outcome: true });
});

test('helps: 0 uncontended; 1 when the MCAS fails on a crashed one and completes it on its way', async () => {
  const keys = uniqueKeys('traced-help', 2);
  await Promise.all(keys.map((key) => store.set(key, 1)));
  const stale = await mcasGetMulti<number>(store, keys);
  // A crashed MCAS: its descriptor written and the first location acquired, then nothing (a hook stops it).
  const crash = new Error('crash');
  await expect(mcas(store, keys.map((key) => [stale.get(key)!, 7]), { hooks: { afterStep: (step) => { if (JSON.stringify(step) === JSON.stringify({ acquired: 0 })) throw crash; } } })).rejects.toBe(crash);
  const traces = await recorded(async () => {
    expect(await mcas(store, keys.map((key) => [stale.get(key)!, 2]))).toBe(false);
    const fresh = await mcasGetMulti<number>(store, keys);
    expect(keys.map((key) => fresh.get(key)!.value)).toEqual([7, 7]); // the crashed one was completed
    expect(await mcas(store, keys.map((key) => [fresh.get(key)!, 3]))).toBe(true);
  });
  const [failed, clean] = [...traces.keys()] as [McasMessage, McasMessage];
  expect(failed).toMatchObject({ outcome: false, helps: 1 });
  expect(clean).toMatchObject({ outcome: true, helps: 0 });
});

test('refused input: the error event, outcome null, nothing sent', async () => {
  const [key] = uniqueKeys('traced-bad', 1) as [string];
  const entry = await store.set(key, 1);
  const traces = await recorded(async () => {
    await expect(mcas(store, [[entry, 2], [entry, 3]])).rejects.toBeInstanceOf(InvalidArgumentError);
  });
  expect([...traces.values()]).toEqual([['start', 'end', 'error', 'asyncStart', 'asyncEnd']]);
  const [message] = [...traces.keys()] as [McasMessage];
  expect(message).toMatchObject({ keys: [key, key], outcome: null, roundTrips: 0 });
  expect(message.error).toBeInstanceOf(InvalidArgumentError);
});

test('the decision\'s reply lost (fault proxy): the error event, outcome unknown', async () => {
  const proxy = await FaultProxy.start(mc.addresses[0]!);
  try {
    const behind = pool.open([proxy.address], { requestTimeoutMs: 300, connectTimeoutMs: 300 });
    const keys = uniqueKeys('traced-lost', 2);
    const direct = pool.open([mc.addresses[0]!]);
    await Promise.all(keys.map((key) => direct.set(key, 1)));
    const entries = await mcasGetMulti<number>(direct, keys);
    // After the last acquisition, every reply is dropped: the decision is sent, its outcome cannot be learned.
    const hooks = { afterStep: async (step: unknown) => void (JSON.stringify(step) === JSON.stringify({ acquired: 1 }) && proxy.setMode('drop-responses')) };
    let unknown: McasOutcomeUnknownError | undefined;
    const traces = await recorded(async () => {
      unknown = (await mcas(behind, keys.map((key) => [entries.get(key)!, 2]), { hooks }).catch((error: unknown) => error)) as McasOutcomeUnknownError;
    });
    expect(unknown).toBeInstanceOf(McasOutcomeUnknownError);
    expect([...traces.values()]).toEqual([['start', 'end', 'error', 'asyncStart', 'asyncEnd']]);
    const [message] = [...traces.keys()] as [McasMessage];
    expect(message).toMatchObject({ keys, locations: 2, outcome: 'unknown' });
    expect(message.error).toBe(unknown);
    proxy.setMode('pass');
    expect(await mcasOutcome(direct, unknown!.descriptorKey)).not.toBeNull(); // settled, so nothing is left in flight
  } finally {
    await proxy.close();
  }
});

test('the protocol commands of an MCAS run inside its trace (a store bound to its start sees them)', async () => {
  const keys = uniqueKeys('traced-nest', 2);
  await Promise.all(keys.map((key) => store.set(key, 1)));
  const entries = await mcasGetMulti<number>(store, keys);
  const current = new AsyncLocalStorage<McasMessage>();
  const mcasTrace = tracingChannel('mcc:mcas:mcas');
  const commands = tracingChannel('mcc:protocol:command');
  mcasTrace.start.bindStore(current, (message) => message as McasMessage);
  const parents: Array<McasMessage | undefined> = [];
  const onCommand = { start: () => void parents.push(current.getStore()) };
  commands.subscribe(onCommand as never);
  const noop = {};
  mcasTrace.subscribe(noop as never);
  try {
    expect(await mcas(store, keys.map((key) => [entries.get(key)!, 2]))).toBe(true);
  } finally {
    commands.unsubscribe(onCommand as never);
    mcasTrace.unsubscribe(noop as never);
    mcasTrace.start.unbindStore(current);
  }
  expect(parents.length).toBeGreaterThanOrEqual(2 + 3);
  expect(parents.every((parent) => parent !== undefined && parent.keys.join() === keys.join())).toBe(true);
});

test('nobody subscribed: nothing is published', async () => {
  const keys = uniqueKeys('untraced', 2);
  await Promise.all(keys.map((key) => store.set(key, 1)));
  const entries = await mcasGetMulti<number>(store, keys);
  const spies = TRACE_PHASES.map((phase) => jest.spyOn(channel(`tracing:mcc:mcas:mcas:${phase}`), 'publish'));
  const traced = jest.spyOn(tracing, 'traceMcas'); // no message is built: the trace is never started
  try {
    expect(tracingChannel('mcc:mcas:mcas').hasSubscribers).toBe(false);
    expect(await mcas(store, keys.map((key) => [entries.get(key)!, 2]))).toBe(true);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    expect(traced).not.toHaveBeenCalled();
  } finally {
    traced.mockRestore();
    for (const spy of spies) spy.mockRestore();
  }
});
