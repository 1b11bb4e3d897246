/**
 * A deque created again under the name of an earlier one — after `destroy`,
 * or on a restarted server — shares its key space with whatever the earlier
 * one left: chunks in other handles' caches, chunk items on the servers that
 * did not restart. A chunk is known by slot and base, so the two deques'
 * bases must never meet (anchor.ts, `createdAnchor`). Both tests failed when
 * every deque started at sequence number 0: the first popped 37–38 of the old
 * deque's values out of a handle's cache (and lost as many new ones), the
 * second published chunks the old deque had left on the other servers.
 */
import { startCluster, useMemcached, type MemcachedCluster } from '@mcc/harness';
import { Deque } from '../src';
import { storeFactory } from './helpers';

const stores = storeFactory();
afterAll(() => stores.closeAll());

const COUNT = 300;
/** The same sizes for both generations, so that both flush at the same points. */
const valueOf = (generation: string, index: number): string => `${generation}-${String(index).padStart(4, '0')}-${'x'.repeat(90)}`;

async function drainLeft(deque: Deque<string>): Promise<string[]> {
  const values: string[] = [];
  for (let value = await deque.popLeft(); value !== undefined; value = await deque.popLeft()) values.push(value);
  return values;
}

describe('destroyed and created again while another process holds a handle', () => {
  const memcached = useMemcached(1);

  it("the old handle pops the new deque's values, in order, none of the old one's", async () => {
    const holder = stores.open(memcached.addresses);
    const name = `recreated-${Date.now()}`;
    const held = await Deque.create<string>(holder, name);
    for (let i = 0; i < COUNT; i++) await held.append(valueOf('old', i)); // its chunks are in `held`'s cache

    const other = stores.open(memcached.addresses);
    await Deque.bind<string>(other, name).destroy();
    const again = await Deque.create<string>(other, name);
    for (let i = 0; i < COUNT; i++) await again.append(valueOf('new', i));

    expect(await drainLeft(held)).toEqual(Array.from({ length: COUNT }, (_, i) => valueOf('new', i)));
  });
});

describe("created again after the anchor's server restarted empty, beside the old chunks on the other servers", () => {
  let cluster: MemcachedCluster;
  beforeAll(async () => (cluster = await startCluster(3, { evictions: false })));
  afterAll(() => cluster.stop());

  it('publishes only its own chunks: a fresh reader pops exactly the new values', async () => {
    const name = `restarted-${Date.now()}`;
    const first = stores.open(cluster.addresses);
    const old = await Deque.create<string>(first, name, { flushBytes: 512 });
    for (let i = 0; i < COUNT; i++) await old.append(valueOf('old', i));
    const anchorServer = first.client.serverFor(`mcc:dq:${name}`);
    await first.close();
    await cluster.servers.find((server) => server.address === anchorServer)!.restart();

    const second = stores.open(cluster.addresses);
    const again = await Deque.open<string>(second, name, { flushBytes: 512 });
    for (let i = 0; i < COUNT; i++) await again.append(valueOf('new', i));

    const reader = Deque.bind<string>(stores.open(cluster.addresses), name, { flushBytes: 512 });
    expect(await drainLeft(reader)).toEqual(Array.from({ length: COUNT }, (_, i) => valueOf('new', i)));
  });
});
