/**
 * A changed server list moves a deque's anchor to another server (ketama
 * over the list; mcc never remaps). `Deque.open` used to find no anchor at
 * the new owner and create a second, empty deque of the same name beside the
 * first (verified with two real servers before the probe: the old-list
 * client saw 3 values, the new-list one 0, then each its own pushes). Now
 * `create` probes the other servers first and refuses, writing nothing;
 * a bound handle's DequeNotFoundError says where the anchor is.
 */
import { usePrivateMemcached } from '@mcc/harness';
import { Client, mccFlags, mcasGet, REFERENCE_KIND, type Store } from '@mcc/mcas';
import { Deque, DequeCorruptedError, DequeExistsError, DequeNotFoundError, DequePlacementError, DequePlacementUnknownError, inspectDeque } from '../src';
import { rejectionOf, storeFactory, writesDuring } from './helpers';

const stores = storeFactory();
afterAll(() => stores.closeAll());

let counter = 0;
const anchorOf = (name: string): string => `mcc:dq:${name}`;

/** A fresh deque name whose anchor `before` and `after` place on different servers. */
function movedName(before: Store, after: Store): string {
  for (;;) {
    const name = `moved-${process.pid}-${Date.now().toString(36)}-${++counter}`;
    if (before.client.serverFor(anchorOf(name)) !== after.client.serverFor(anchorOf(name))) return name;
  }
}

/** A fresh deque name whose anchor `store` places on `server`. */
function nameOn(store: Store, server: string): string {
  for (;;) {
    const name = `on-${process.pid}-${Date.now().toString(36)}-${++counter}`;
    if (store.client.serverFor(anchorOf(name)) === server) return name;
  }
}

/** Storage commands (set, add, replace, cas, …) each server has executed: unchanged means nothing was written. */
async function writesByServer(addresses: readonly string[]): Promise<Map<string, number>> {
  const client = new Client(addresses);
  try {
    return new Map([...(await client.stats())].map(([server, stats]) => [server, Number(stats.get('cmd_set')) + Number(stats.get('cmd_touch'))]));
  } finally {
    await client.close();
  }
}

/** What `server` alone holds at `key`, read by a client of that server only (not through the ring). */
async function rawGet(server: string, key: string): Promise<Buffer | null> {
  const client = new Client([server]);
  try {
    return (await client.get(key))?.value ?? null;
  } finally {
    await client.close();
  }
}

/** Enough for several chunks when appended one by one. */
const VALUES = Array.from({ length: 120 }, (_, i) => `value-${String(i).padStart(3, '0')}-${'x'.repeat(60)}`);

describe('a server added to the list', () => {
  const memcached = usePrivateMemcached(3);
  let oldList: Store;
  let newList: Store;
  let name: string;
  let oldOwner: string;
  let newOwner: string;

  beforeAll(async () => {
    const [a, b] = memcached.addresses as [string, string, string];
    oldList = stores.open([a, b]);
    newList = stores.open(memcached.addresses);
    name = movedName(oldList, newList);
    oldOwner = oldList.client.serverFor(anchorOf(name));
    newOwner = newList.client.serverFor(anchorOf(name));
    const deque = await Deque.open<string>(oldList, name);
    for (const value of VALUES) await deque.append(value); // flushed into chunks as the buffer fills
  });

  it('Deque.open and Deque.create with the new list refuse with DequePlacementError and write nothing on any server', async () => {
    expect(newOwner).toBe(memcached.addresses[2]); // consistent hashing: only keys of the new server move
    for (const attempt of [() => Deque.open(newList, name), () => Deque.create(newList, name)]) {
      const before = await writesByServer(memcached.addresses);
      const error = await rejectionOf(attempt());
      expect(error).toBeInstanceOf(DequePlacementError);
      const placement = error as DequePlacementError;
      expect({ code: placement.code, deque: placement.deque, owner: placement.owner, foundOn: placement.foundOn, key: placement.key, server: placement.server }).toEqual({
        code: 'MCC_ERR_DEQUE_PLACEMENT',
        deque: name,
        owner: newOwner,
        foundOn: [oldOwner],
        key: anchorOf(name),
        server: newOwner,
      });
      expect(placement.message).toContain(`lives on ${oldOwner}, but the server list places it on ${newOwner}`);
      expect(placement.message).toContain('server list probably changed');
      expect(placement.message).toContain('never remaps');
      expect(placement.message).toContain('"Changing the server list"');
      expect(await writesByServer(memcached.addresses)).toEqual(before);
      expect(await rawGet(newOwner, anchorOf(name))).toBeNull();
    }
  });

  it('a handle bound with the new list: DequeNotFoundError names the server holding the anchor', async () => {
    const error = await rejectionOf(Deque.bind(newList, name).length());
    expect(error).toBeInstanceOf(DequeNotFoundError);
    const notFound = error as DequeNotFoundError;
    expect({ code: notFound.code, deque: notFound.deque, foundOn: notFound.foundOn, server: notFound.server }).toEqual({ code: 'MCC_ERR_DEQUE_NOT_FOUND', deque: name, foundOn: [oldOwner], server: newOwner });
    expect(notFound.message).toContain(`is not on ${newOwner}, where the server list places its anchor ${anchorOf(name)}, but an anchor of that name is on ${oldOwner}`);
    // A deque that is nowhere: the plain message, nothing found.
    const nowhere = (await rejectionOf(Deque.bind(newList, movedName(oldList, newList)).pop())) as DequeNotFoundError;
    expect(nowhere).toBeInstanceOf(DequeNotFoundError);
    expect(nowhere.foundOn).toEqual([]);
    expect(nowhere.message).toContain('does not exist');
  });

  it('inspectDeque with the new list says where the anchor is', async () => {
    const report = await inspectDeque(newList, name);
    expect(report.exists).toBe(false);
    expect(report.problems).toEqual([
      { key: anchorOf(name), problem: `the anchor is missing on ${newOwner}, where this server list places it, but one is on ${oldOwner}: the server list changed since the deque was created` },
    ]);
    expect((await inspectDeque(newList, movedName(oldList, newList))).problems).toEqual([{ key: expect.any(String), problem: 'the anchor is missing' }]);
  });

  it('with the old list the deque is intact and works: open binds, every value in order', async () => {
    const deque = await Deque.open<string>(oldList, name);
    expect(await deque.length()).toBe(VALUES.length);
    expect(await deque.range(0, -1)).toEqual(VALUES);
    await deque.append('after');
    expect(await deque.pop()).toBe('after');
  });

  it('a chunk the new list places elsewhere, under an anchor it does not move: DequeCorruptedError naming the chunk, nothing skipped', async () => {
    for (let attempt = 0; ; attempt++) {
      let name: string;
      do name = `stays-${process.pid}-${++counter}`;
      while (oldList.client.serverFor(anchorOf(name)) !== newList.client.serverFor(anchorOf(name)));
      const deque = await Deque.create<string>(oldList, name);
      for (const value of VALUES) await deque.append(value); // flushed into chunks as the buffer fills
      const anchor = (await mcasGet<{ a: number; b: number }>(oldList, anchorOf(name)))!.value;
      const chunkKeys = Array.from({ length: anchor.b - anchor.a + 1 }, (_, i) => `${anchorOf(name)}:c:${anchor.a + i}`);
      const moved = chunkKeys.filter((key) => oldList.client.serverFor(key) !== newList.client.serverFor(key));
      if (moved.length === 0 && attempt < 50) continue; // every chunk stayed: try another name
      expect(moved.length).toBeGreaterThan(0);
      const error = (await rejectionOf(Deque.bind(newList, name).range(0, -1))) as DequeCorruptedError;
      expect(error).toBeInstanceOf(DequeCorruptedError);
      expect(moved).toContain(error.missingKey);
      expect(await Deque.bind<string>(oldList, name).range(0, -1)).toEqual(VALUES);
      return;
    }
  });

  it('a move over the anchor in flight (an MCAS reference at the anchor key) counts as an anchor; a foreign item there does not', async () => {
    const referenced = movedName(oldList, newList);
    const foreign = movedName(oldList, newList);
    const single = (server: string): Client => new Client([server]);
    const referenceHolder = single(oldList.client.serverFor(anchorOf(referenced)));
    const foreignHolder = single(oldList.client.serverFor(anchorOf(foreign)));
    try {
      await referenceHolder.set(anchorOf(referenced), 'a descriptor reference', { flags: mccFlags(REFERENCE_KIND, newList.codec.id) });
      await foreignHolder.set(anchorOf(foreign), 'not an mcc item', { flags: 7 });
    } finally {
      await Promise.all([referenceHolder.close(), foreignHolder.close()]);
    }
    expect(await rejectionOf(Deque.open(newList, referenced))).toBeInstanceOf(DequePlacementError);
    const created = await Deque.open<string>(newList, foreign);
    await created.append('new');
    expect(await created.range(0, -1)).toEqual(['new']);
  });
});

describe('a weight changed', () => {
  const memcached = usePrivateMemcached(2);

  it('moves anchors between the same servers: open refuses, and the old weights still bind', async () => {
    const [a, b] = memcached.addresses as [string, string];
    const oldList = stores.open([a, b]);
    const newList = stores.open([`${a}:4`, b]);
    const name = movedName(oldList, newList);
    await (await Deque.create<number>(oldList, name)).extend([1, 2, 3]);
    const error = (await rejectionOf(Deque.open(newList, name))) as DequePlacementError;
    expect(error).toBeInstanceOf(DequePlacementError);
    expect(error.foundOn).toEqual([oldList.client.serverFor(anchorOf(name))]);
    expect(await (await Deque.open<number>(oldList, name)).range(0, -1)).toEqual([1, 2, 3]);
  });
});

describe('a server that cannot be read while a deque would be created', () => {
  const memcached = usePrivateMemcached(2);

  it('fails closed with DequePlacementUnknownError and writes nothing; a deque that exists on its owner is bound; once the server is back, open creates', async () => {
    const [a, b] = memcached.addresses as [string, string];
    const store = stores.open([a, b], { connectTimeoutMs: 500, requestTimeoutMs: 500 });
    const fresh = nameOn(store, a);
    const existing = nameOn(store, a);
    await Deque.create(store, existing);
    await memcached.servers[1]!.kill();

    const before = await writesByServer([a]);
    const error = (await rejectionOf(Deque.open(store, fresh))) as DequePlacementUnknownError;
    expect(error).toBeInstanceOf(DequePlacementUnknownError);
    expect({ code: error.code, deque: error.deque, owner: error.owner, unreadable: error.unreadable }).toEqual({ code: 'MCC_ERR_DEQUE_PLACEMENT_UNKNOWN', deque: fresh, owner: a, unreadable: [b] });
    expect(error.message).toContain(`${b} could not be read`);
    expect(error.cause).toBeDefined();
    expect(await writesByServer([a])).toEqual(before);
    expect(await rawGet(a, anchorOf(fresh))).toBeNull();

    // Only a creation needs the other servers: an existing deque's owner answers for it.
    expect(await (await Deque.open(store, existing)).length()).toBe(0);

    await memcached.servers[1]!.restart();
    let created: Deque | undefined;
    for (let tries = 0; created === undefined; tries++) {
      try {
        created = await Deque.open(store, fresh);
      } catch (caught) {
        if (!(caught instanceof DequePlacementUnknownError) || tries > 100) throw caught;
        await new Promise((resolve) => setTimeout(resolve, 100)); // the client reconnects with back-off
      }
    }
    await created.append('here');
    expect(await created.range(0, -1)).toEqual(['here']);
  });
});

describe('round trips', () => {
  const memcached = usePrivateMemcached(2);

  it('one server: create, open of an existing deque and a DequeNotFoundError cost what they did before the probe (nothing to probe)', async () => {
    const store = stores.open([memcached.addresses[0]!]);
    await store.client.noop(); // connected
    const name = `single-${process.pid}-${++counter}`;
    expect(await writesDuring(store, () => Deque.create(store, name))).toBe(1); // the add
    expect(await writesDuring(store, () => Deque.open(store, name))).toBe(1); // the add, refused: bound
    expect(await writesDuring(store, () => rejectionOf(Deque.bind(store, `${name}-missing`).length()))).toBe(1); // the anchor read
  });

  it('two servers: the probe is one parallel round of reads, and opening an existing deque skips the add', async () => {
    const store = stores.open(memcached.addresses);
    await store.client.noop(); // both connected
    const name = `pair-${process.pid}-${++counter}`;
    const requestsDuring = async (action: () => Promise<unknown>): Promise<number> => {
      const before = store.client.metrics.requests;
      await action();
      return store.client.metrics.requests - before;
    };
    expect(await requestsDuring(() => Deque.create(store, name))).toBe(3); // owner and other read together, then the add
    expect(await requestsDuring(() => Deque.open(store, name))).toBe(2); // the owner's read finds it: bound, no add
    expect(await rejectionOf(Deque.create(store, name))).toBeInstanceOf(DequeExistsError);
  });
});
