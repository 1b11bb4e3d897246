/**
 * The contention path under lost replies: several clients (own stores, own
 * engines) on one deque through fault proxies that cut, tear or stall
 * replies at random (seeded), so refused CASes, reads behind them, lost CAS
 * replies and the batch-id window all meet. Histories are checked with the
 * linearizability checker; an operation that failed with an outcome-unknown
 * error may or may not have happened. (Moves between two deques under
 * faults are issue 9 §3's, tested with its fix.)
 */
import { FaultProxy, closeAllProxies, useMemcached, seededRandom } from '@mcc/harness';
import { HistoryRecorder, dequeModel, requireLinearizable, type DequeInput } from '@mcc/linearizability';
import { Deque } from '../src';
import { storeFactory } from './helpers';

jest.setTimeout(90_000);
const cluster = useMemcached(2, { evictions: false });
const stores = storeFactory();
afterAll(async () => {
  await stores.closeAll();
  await closeAllProxies();
});

const CLIENTS = 3;
const CALLERS = 2;
const OPERATIONS = 6;
const OPTIONS = { flushBytes: 96, inlineMaxBytes: 48 };

describe.each([
  ['direct CASes', false],
  ['cross-process combining', true],
])('one deque, 3 clients × 2 callers, replies cut, torn or stalled at random (%s)', (_mode, combine) => {
  it.each([5, 17, 29])('histories stay linearizable (seed %i)', async (seed) => {
    const proxies = await Promise.all(cluster.addresses.map((address) => FaultProxy.start(address)));
    // Every client names the servers by the proxies' addresses: keys hash to servers by address.
    const addresses = proxies.map((proxy) => proxy.address);
    const name = `lin-faults-${seed}-${Date.now()}`;
    await Deque.create(stores.open(addresses), name, OPTIONS);
    const recorder = new HistoryRecorder<DequeInput, unknown>();
    const next = seededRandom(seed);
    const clients = Array.from({ length: CLIENTS }, () => Deque.bind(stores.open(addresses, { requestTimeoutMs: 200 }), name, { ...OPTIONS, combine }));
    const run = (id: number, input: DequeInput, operation: () => Promise<unknown>): Promise<unknown> => recorder.record(id, input, operation).catch(() => undefined);
    // With combining, before the faults: every client pushes at once on a fresh handle, so CASes are lost and clients start announcing.
    if (combine) await Promise.all(clients.map((deque, client) => run(client * CALLERS, { op: 'append', deque: name, value: `w${client}` }, () => deque.append(`w${client}`))));
    proxies.forEach((proxy, index) => {
      // A few for sure (armed by position), more at random.
      proxy.injectReplyFault({ kind: 'cut', afterBytes: 200 + 100 * index });
      proxy.injectReplyFault({ kind: 'stall', afterBytes: 900, stallMs: 400 });
      proxy.setRandomReplyFaults({ seed: seed * 10 + index, probability: 0.05, kinds: ['cut', 'tear', 'stall'], stallMs: 400 });
    });
    await Promise.all(
      clients.map(async (deque, client) => {
        await Promise.all(
          Array.from({ length: CALLERS }, async (_, caller) => {
            const id = client * CALLERS + caller;
            for (let i = 0; i < (combine ? OPERATIONS - 1 : OPERATIONS); i++) {
              const value = `${id}.${i}${i % 3 === 2 ? `:${'x'.repeat(60)}` : ''}`;
              const roll = next();
              if (roll < 0.3) await run(id, { op: 'append', deque: name, value }, () => deque.append(value));
              else if (roll < 0.45) await run(id, { op: 'appendLeft', deque: name, value }, () => deque.appendLeft(value));
              else if (roll < 0.62) await run(id, { op: 'popLeft', deque: name }, () => deque.popLeft());
              else if (roll < 0.75) await run(id, { op: 'pop', deque: name }, () => deque.pop());
              else if (roll < 0.82) await run(id, { op: 'peek', deque: name }, () => deque.peek());
              else if (roll < 0.88) await run(id, { op: 'length', deque: name }, () => deque.length());
              else await run(id, { op: 'moveTo', deque: name, target: name, from: 'left', to: 'right' }, () => deque.moveTo(deque, { from: 'left', to: 'right' }));
            }
          }),
        );
      }),
    );
    const faults = proxies.reduce((sum, proxy) => sum + proxy.replyFaultCounts.cut + proxy.replyFaultCounts.tear + proxy.replyFaultCounts.stall, 0);
    // Faults end here: the random ones, and armed ones whose bytes never came (one fired in the drain, in CI).
    for (const proxy of proxies) proxy.clearReplyFaults();
    expect(faults).toBeGreaterThan(0);
    expect(recorder.unexpectedErrors).toEqual([]);
    const announced = clients.reduce((sum, deque) => sum + deque.stats.announced, 0);
    if (combine) expect(announced).toBeGreaterThan(0);
    else expect(announced).toBe(0);
    // Drained afterwards, without faults: the final content is part of the history too.
    const reader = Deque.bind(stores.open(addresses), name, OPTIONS);
    for (;;) {
      const value = await recorder.record(CLIENTS * CALLERS, { op: 'popLeft', deque: name }, () => reader.popLeft());
      if (value === undefined) break;
    }
    await Promise.all(proxies.map((proxy) => proxy.close()));
    // Announced operations whose reads kept failing are open-ended, and combining sends more requests for the
    // faults to hit: such histories can need more search (one that gave up at 5 M steps was ok at 200 M).
    // A history not shown linearizable is saved and named in the failure (requireLinearizable).
    const result = await requireLinearizable(dequeModel([name]), recorder.operations(), { name: `deque-faults-${combine ? 'combining' : 'direct'}-seed-${seed}`, timeoutMs: 40_000, maxSteps: 40_000_000 });
    expect(result.linearization.length).toBeGreaterThan(0);
  });
});
