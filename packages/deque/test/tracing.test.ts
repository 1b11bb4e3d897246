/**
 * `mcc:deque:op` (src/tracing.ts) against real memcached: one trace per
 * public operation with the deque's name, kind, side, batch, the anchor
 * CASes it took (a retry after another process's change shows), and the
 * outcome; nothing is published while nobody subscribes.
 */
import { channel, tracingChannel } from 'node:diagnostics_channel';
import { useMemcached, recordTraces, TRACE_PHASES, type TracePhase } from '@mcc/harness';
import { Deque, DequeNotFoundError, type DequeOpMessage } from '../src';
import { storeFactory } from './helpers';
import * as tracing from '../src/tracing';

type Phase = TracePhase;

const memcached = useMemcached(2, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

let counter = 0;
const uniqueName = (prefix: string): string => `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

const recorded = (body: () => Promise<void>): Promise<Map<DequeOpMessage, Phase[]>> => recordTraces<DequeOpMessage>('mcc:deque:op', body);

test('push, extend, peek, pop, an empty pop and a move: kind, side, batch, one CAS each, outcome', async () => {
  const store = stores.open(memcached.addresses);
  const name = uniqueName('traced');
  const deque = await Deque.create<number>(store, name);
  const other = await Deque.create<number>(store, uniqueName('traced-target'));
  const traces = await recorded(async () => {
    await deque.append(1);
    await deque.extendLeft([2, 3, 4]);
    expect(await deque.peek()).toBe(1);
    expect(await deque.pop()).toBe(1);
    expect(await deque.moveTo(other, { from: 'left' })).toBe(4);
    expect(await deque.length()).toBe(2);
    await deque.clear();
    expect(await deque.popLeft()).toBeUndefined();
  });
  expect([...traces.values()].every((phases) => phases.join() === 'start,end,asyncStart,asyncEnd')).toBe(true);
  const summary = [...traces.keys()].map(({ deque: of, kind, side, batch, outcome }) => ({ of, kind, side, batch, outcome }));
  expect(summary).toEqual([
    { of: name, kind: 'push', side: 'right', batch: 1, outcome: 'ok' },
    { of: name, kind: 'push', side: 'left', batch: 3, outcome: 'ok' },
    { of: name, kind: 'peek', side: 'right', batch: 1, outcome: 'ok' },
    { of: name, kind: 'pop', side: 'right', batch: 1, outcome: 'ok' },
    { of: name, kind: 'move', side: 'left', batch: 1, outcome: 'ok' },
    { of: name, kind: 'length', side: null, batch: 0, outcome: 'ok' },
    { of: name, kind: 'clear', side: null, batch: 0, outcome: 'ok' },
    { of: name, kind: 'pop', side: 'left', batch: 1, outcome: 'empty' },
  ]);
  const [push, extend, , pop] = [...traces.keys()] as DequeOpMessage[];
  for (const message of [push!, extend!, pop!]) expect({ casAttempts: message.casAttempts, casRetries: message.casRetries }).toEqual({ casAttempts: 1, casRetries: 0 });
  expect(pop!.result).toBe(1);
});

test('another process changed the anchor: the push shows the lost CAS and its retry', async () => {
  const name = uniqueName('traced-contended');
  const mine = await Deque.create<number>(stores.open(memcached.addresses), name);
  const theirs = Deque.bind<number>(stores.open(memcached.addresses), name); // another store: another engine, as in another process
  await mine.append(1); // my engine now holds the anchor it wrote
  await theirs.append(2); // …which is stale from here on
  const traces = await recorded(async () => {
    await mine.append(3);
  });
  const [message] = [...traces.keys()] as [DequeOpMessage];
  expect(message).toMatchObject({ deque: name, kind: 'push', outcome: 'ok', casAttempts: 2, casRetries: 1 });
  expect(await mine.range(0, -1)).toEqual([1, 2, 3]);
});

test('a failure: the error event with the error, outcome error', async () => {
  const missing = Deque.bind<number>(stores.open(memcached.addresses), uniqueName('traced-missing'));
  const traces = await recorded(async () => {
    await expect(missing.pop()).rejects.toBeInstanceOf(DequeNotFoundError);
  });
  expect([...traces.values()]).toEqual([['start', 'end', 'error', 'asyncStart', 'asyncEnd']]);
  const [message] = [...traces.keys()] as [DequeOpMessage];
  expect(message).toMatchObject({ kind: 'pop', outcome: 'error' });
  expect(message.error).toBeInstanceOf(DequeNotFoundError);
});

test('nobody subscribed: nothing is published', async () => {
  const deque = await Deque.create<number>(stores.open(memcached.addresses), uniqueName('untraced'));
  const spies = TRACE_PHASES.map((phase) => jest.spyOn(channel(`tracing:mcc:deque:op:${phase}`), 'publish'));
  const traced = jest.spyOn(tracing, 'traceDequeOp'); // no message is built: the trace is never started
  try {
    expect(tracingChannel('mcc:deque:op').hasSubscribers).toBe(false);
    await deque.append(1);
    expect(await deque.pop()).toBe(1);
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    expect(traced).not.toHaveBeenCalled();
  } finally {
    traced.mockRestore();
    for (const spy of spies) spy.mockRestore();
  }
});

test('Deque.transact: kind transact over every deque of its steps, the values taken and pushed, its MCAS attempts, ok / aborted', async () => {
  const store = stores.open(memcached.addresses);
  const source = await Deque.create<number>(store, uniqueName('traced-tx-a'));
  const target = await Deque.create<number>(store, uniqueName('traced-tx-b'));
  await source.extend([1, 2, 3]);
  const traces = await recorded(async () => {
    const moved = await Deque.transact([{ deque: source, take: { side: 'left', count: 2 } }, { deque: target }], (taken) => ({
      pushes: [{ step: 1, side: 'right', values: [{ keep: [0, 0] }, { value: (taken[0]![1] as number) * 10 }] }],
      result: null,
    }));
    expect(moved.status).toBe('committed');
    expect((await Deque.transact([{ deque: source, take: { side: 'left', count: 1 } }], () => undefined)).status).toBe('aborted');
  });
  const [committed, aborted] = [...traces.keys()] as [DequeOpMessage, DequeOpMessage];
  expect(committed).toMatchObject({ kind: 'transact', deque: source.name, deques: [source.name, target.name], side: null, batch: 4, casAttempts: 1, casRetries: 0, outcome: 'ok' });
  expect(aborted).toMatchObject({ kind: 'transact', deques: [source.name], batch: 0, casAttempts: 0, outcome: 'aborted' });
  expect(await target.range(0, -1)).toEqual([1, 20]);
});
