/**
 * Issue 9 §3, replayed deterministically: the interleaving the
 * linearizability checker found behind "a moveTo moved a second value" /
 * "a pushed value vanished while a long moveTo returned undefined".
 *
 * moveTo is one MCAS over both anchors. The reply to its first acquisition
 * (the CAS putting the MCAS's reference on the first anchor, in key order)
 * is lost; a reader of that deque meets the reference and completes the
 * move (helping); the originator, looking again, sees the anchor changed.
 * `mcas` used to conclude "failed at the first location, nobody knew my
 * descriptor" and return false — so moveTo, believing nothing had moved,
 * planned again and moved the next value as well (or, the source now
 * empty, returned undefined while its value sat in the other deque).
 */
import { FaultProxy, closeAllProxies, useMemcached } from '@mcc/harness';
import { REFERENCE_KIND } from '@mcc/mcas';
import { Deque } from '../src';
import { storeFactory } from './helpers';

const server = useMemcached(1, { evictions: false });
const stores = storeFactory();
afterEach(async () => {
  await stores.closeAll();
  await closeAllProxies();
});

/** Polls until one of `keys` holds an MCAS reference (read directly, not through the proxy). */
async function untilReferenced(truth: ReturnType<typeof stores.open>, keys: readonly string[]): Promise<void> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const raw = await truth.getMulti(keys);
    if ([...raw.values()].some((entry) => entry.kind === REFERENCE_KIND)) return;
    if (Date.now() > deadline) throw new Error('the move never put its reference on an anchor');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

test.each([
  ['two values: moves exactly one', [1, 2], { returned: 2, source: [1], target: [2] }],
  ['one value: returns it, never undefined', [7], { returned: 7, source: [], target: [7] }],
] as const)('a move whose first acquisition reply is lost and that a reader completes (%s)', async (_, values, expected) => {
  const address = server.addresses[0]!;
  const proxy = await FaultProxy.start(address);
  const truth = stores.open([address]);
  const names = [`lost-move-a-${Math.random().toString(36).slice(2, 8)}`, `lost-move-b-${Math.random().toString(36).slice(2, 8)}`];
  const source = await Deque.create<number>(truth, names[0]);
  const target = await Deque.create<number>(truth, names[1]);
  await source.extend(values);

  // The mover goes through the proxy and reconnects at once once the proxy lets it.
  const moverStore = stores.open([proxy.address], { requestTimeoutMs: 1000, reconnectStrategy: () => 5 });
  const moverSource = Deque.bind<number>(moverStore, names[0]!);
  const moverTarget = Deque.bind<number>(moverStore, names[1]!);
  expect(await moverSource.length()).toBe(values.length); // connected, handshake done
  // Every reply to the mover is held 150 ms, so the one to its first acquisition is still in the
  // proxy when the reference shows on the server — whatever requests the move makes before it.
  proxy.setRandomReplyFaults({ seed: 1, probability: 1, kinds: ['stall'], stallMs: 150 });
  const moving = moverSource.moveTo(moverTarget, { from: 'right', to: 'left' }).then((value) => ({ value }), (error: Error) => ({ error }));
  await untilReferenced(truth, names.map((name) => `mcc:dq:${name}`));
  // The reply is lost with the connection, and the mover cannot reconnect until the reader is done.
  proxy.setMode('refuse');
  proxy.dropConnections();
  proxy.setRandomReplyFaults(null);
  // A reader of the source deque completes the move (helping) while the mover cannot look.
  expect(await source.length()).toBe(values.length - 1);
  proxy.setMode('pass');

  expect(await moving).toEqual({ value: expected.returned });
  const drained = async (deque: Deque<number>): Promise<number[]> => {
    const out: number[] = [];
    for (let value = await deque.popLeft(); value !== undefined; value = await deque.popLeft()) out.push(value);
    return out;
  };
  expect(await drained(source)).toEqual(expected.source);
  expect(await drained(target)).toEqual(expected.target);
});
