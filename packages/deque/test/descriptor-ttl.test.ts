/**
 * A deque's MCAS descriptors live 30 days on the server (transact.ts,
 * DESCRIPTOR_TTL_SECONDS): an MCAS whose originator died midway waits in the
 * anchors for the next reader, however long the deque stays idle. Read back
 * from the server (meta `mg <key> t`) while the move's MCAS is in flight.
 */
import { rawTextRequest, useMemcached } from '@mcc/harness';
import { Deque } from '../src';
import { storeFactory } from './helpers';

const memcached = useMemcached(2, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

test("a move's MCAS descriptor is written with a TTL of 30 days", async () => {
  const store = stores.open(memcached.addresses);
  const source = await Deque.create<string>(store);
  const target = await Deque.create<string>(store);
  await source.append('moved');
  const ttls: number[] = [];
  const add = store.add.bind(store);
  jest.spyOn(store, 'add').mockImplementation(async (key, value, options) => {
    const written = await add(key, value, options);
    if (written !== null && key.startsWith('mcc:mcas:')) {
      const reply = await rawTextRequest(store.client.serverFor(key), `mg ${key} t\r\n`);
      ttls.push(Number(/^HD t(\d+)\r\n$/.exec(reply)?.[1] ?? NaN));
    }
    return written;
  });
  expect(await source.moveTo(target)).toBe('moved');
  expect(ttls.length).toBeGreaterThan(0);
  for (const ttl of ttls) expect(ttl).toBeGreaterThan(2_592_000 - 60);
  expect(await target.pop()).toBe('moved');
});
