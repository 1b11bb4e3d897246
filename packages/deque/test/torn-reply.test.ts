/**
 * A reply the client cannot parse (torn or garbled) makes it close the
 * connection and reject the requests in flight with a ProtocolError: for an
 * anchor CAS that is a lost reply like a cut connection — the write may have
 * applied. The deque resolves it through the anchor's batch ids instead of
 * letting the raw error escape (or retrying a write that did apply).
 */
import { useMemcached } from '@mcc/harness';
import { Deque, ProtocolError, type Store } from '../src';
import { storeFactory } from './helpers';

const cluster = useMemcached(1, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

/** The store's next CAS is sent (and applied, or not) by the server, and its reply is then reported torn. */
function tearNextCasReply(store: Store): void {
  const real = store.cas.bind(store);
  Object.defineProperty(store, 'cas', {
    configurable: true,
    value: async (...args: Parameters<Store['cas']>) => {
      delete (store as { cas?: unknown }).cas; // once
      await real(...args);
      throw new ProtocolError('injected: a torn reply; the connection was closed with the request in flight');
    },
  });
}

it('a push whose CAS reply is torn after the CAS applied resolves, and the value is there once', async () => {
  const store = stores.open(cluster.addresses);
  const deque = await Deque.create<number>(store);
  await deque.append(1);
  tearNextCasReply(store);
  await expect(deque.append(2)).resolves.toBeUndefined();
  expect(await deque.range(0, -1)).toEqual([1, 2]);
});

it('a pop whose CAS reply is torn after the CAS applied returns the value it took', async () => {
  const store = stores.open(cluster.addresses);
  const deque = await Deque.create<number>(store);
  await deque.append(1);
  await deque.append(2);
  tearNextCasReply(store);
  await expect(deque.popLeft()).resolves.toBe(1);
  expect(await deque.range(0, -1)).toEqual([2]);
});
