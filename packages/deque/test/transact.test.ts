import { FaultProxy, useMemcached } from '@mcc/harness';
import { Deque, InvalidArgumentError } from '../src';
import { storeFactory, writesDuring } from './helpers';

const cluster = useMemcached(3, { evictions: false });
const stores = storeFactory();
afterAll(() => stores.closeAll());

describe('Deque.transact', () => {
  it('takes, transforms and pushes across deques atomically, and keeps large values as stored', async () => {
    const store = stores.open(cluster.addresses);
    const source = await Deque.create<unknown>(store);
    const target = await Deque.create<unknown>(store);
    const big = 'b'.repeat(5000);
    await source.extend([1, 2, big, 4]);
    const outcome = await Deque.transact([{ deque: source, take: { side: 'left', count: 3 } }, { deque: target }], (taken) => ({
      pushes: [
        { step: 1, side: 'right', values: [{ value: (taken[0]![0] as number) * 10 }, { keep: [0, 2] }] },
        { step: 0, side: 'right', values: [{ value: 'back' }] },
      ],
      result: taken[0]!.length,
    }));
    expect(outcome).toMatchObject({ status: 'committed', result: 3, taken: [[1, 2, big], []] });
    expect(await source.range(0, -1)).toEqual([4, 'back']);
    expect(await target.range(0, -1)).toEqual([10, big]);
    expect(await target.pop()).toBe(big); // the kept item still exists
  });

  it('aborts without writing when decide says no, and takes fewer from a short deque', async () => {
    const store = stores.open(cluster.addresses);
    const deque = await Deque.create<number>(store);
    await deque.extend([7, 8]);
    const aborted = await Deque.transact([{ deque, take: { side: 'right', count: 5 } }], (taken) => {
      expect(taken).toEqual([[8, 7]]);
      return undefined;
    });
    expect(aborted.status).toBe('aborted');
    expect(await deque.range(0, -1)).toEqual([7, 8]);
  });

  it('refuses bad steps before writing', async () => {
    const deque = await Deque.create<number>(stores.open(cluster.addresses));
    await expect(Deque.transact([{ deque }, { deque }], () => ({ pushes: [], result: 0 }))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(Deque.transact([{ deque, take: { side: 'left', count: -1 } }], () => ({ pushes: [], result: 0 }))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(Deque.transact([{ deque }], () => ({ pushes: [{ step: 3, side: 'left', values: [{ value: 1 }] }], result: 0 }))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(Deque.transact([{ deque: {} as Deque<number> }], () => ({ pushes: [], result: 0 }))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(Deque.exists({} as never, 'x')).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await deque.length()).toBe(0);
  });

  it('conserves every value under concurrent transfers from many clients (conditional on what was seen)', async () => {
    const name = `tx-${Date.now()}`;
    const setup = stores.open(cluster.addresses);
    const a = await Deque.create<number>(setup, `${name}-a`, { flushBytes: 128 });
    const b = await Deque.create<number>(setup, `${name}-b`, { flushBytes: 128 });
    await a.extend(Array.from({ length: 300 }, (_, i) => i));
    const movedBy = await Promise.all(
      Array.from({ length: 6 }, async () => {
        const store = stores.open(cluster.addresses);
        const from = Deque.bind<number>(store, `${name}-a`, { flushBytes: 128 });
        const to = Deque.bind<number>(store, `${name}-b`, { flushBytes: 128 });
        let moved = 0;
        for (;;) {
          const outcome = await Deque.transact([{ deque: from, take: { side: 'left', count: 4 } }, { deque: to }], (taken) =>
            taken[0]!.length === 0 ? undefined : { pushes: [{ step: 1, side: 'right', values: taken[0]!.map((_, i) => ({ keep: [0, i] as const })) }], result: taken[0]!.length },
          );
          if (outcome.status !== 'committed') break;
          moved += outcome.result;
        }
        return moved;
      }),
    );
    expect(movedBy.reduce((x, y) => x + y, 0)).toBe(300);
    expect(await a.length()).toBe(0);
    const values = await b.range(0, -1);
    expect([...values].sort((x, y) => x - y)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    // Each batch of 4 stayed together and in order.
    for (let i = 0; i < values.length; i += 4) expect(values.slice(i, i + 4)).toEqual(values.slice(i, i + 4).map((_, k) => values[i]! + k));
  });
});

describe('Deque.transact from cached anchors (one server: a socket write is a round trip)', () => {
  const single = useMemcached(1, { evictions: false });
  it('starts from the anchors this process last wrote while uncontended (one round trip less), never trusting them for an empty take or a no-op', async () => {
    const server = stores.open(single.addresses);
    const name = `tx-known-${Date.now()}`;
    const source = await Deque.create<number>(server, `${name}-a`);
    const target = await Deque.create<number>(server, `${name}-b`);
    const moveOne = (): ReturnType<typeof Deque.transact<number>> =>
      Deque.transact([{ deque: source, take: { side: 'left', count: 1 } }, { deque: target }], (taken) =>
        taken[0]!.length === 0 ? undefined : { pushes: [{ step: 1, side: 'right', values: [{ keep: [0, 0] }] }], result: taken[0]![0] as number },
      );
    await source.extend([1, 2]);
    expect(await moveOne()).toMatchObject({ status: 'committed', result: 1 });
    // Both anchors are known (the MCAS reported what it wrote): no read before the MCAS this time.
    let second: Awaited<ReturnType<typeof moveOne>> | undefined;
    expect(await writesDuring(server, async () => (second = await moveOne()))).toBe(5); // add descriptor, 2 acquires, decide, release: no read
    expect(second).toMatchObject({ status: 'committed', result: 2 });
    // Another process (another store: its own engines) pushes: our cached anchor of `source` is stale and shows it empty.
    const other = Deque.bind<number>(stores.open(single.addresses), `${name}-a`);
    await other.append(3);
    expect(await moveOne()).toMatchObject({ status: 'committed', result: 3 }); // an empty take on a cached anchor is read again
    await other.append(4);
    const empty = await Deque.transact([{ deque: source }, { deque: target }], () => ({ pushes: [], result: 'no-op' }));
    expect(empty.status).toBe('committed');
    expect(await moveOne()).toMatchObject({ status: 'committed', result: 4 }); // a stale start fails the MCAS, the retry reads
    expect(await moveOne()).toMatchObject({ status: 'aborted' });
    expect(await target.range(0, -1)).toEqual([1, 2, 3, 4]);
    // A commit that would leave a deque unwritten proves nothing about its cached anchor: here `source`
    // looks empty from the cache (another process pushed 5 since), so it would only write `target`.
    await moveOne(); // both anchors cached again
    await other.append(5);
    const counted = await Deque.transact([{ deque: source, take: { side: 'left', count: 1 } }, { deque: target }], (taken) => ({
      pushes: [{ step: 1, side: 'right', values: [{ value: taken[0]!.length }] }],
      result: taken[0]!,
    }));
    expect(counted).toMatchObject({ status: 'committed', taken: [[5], []] });
    expect(await target.range(-1, -1)).toEqual([1]);
  });
});

describe('Deque.transact with a lost reply', () => {
  const server = useMemcached(1, { evictions: false });
  let proxy: FaultProxy;
  beforeAll(async () => (proxy = await FaultProxy.start(server.addresses[0]!)));
  afterAll(() => proxy.close());

  it('learns that a CAS whose reply was lost applied (its batch id is in the anchor)', async () => {
    const store = stores.open([proxy.address], { requestTimeoutMs: 1000 });
    const deque = await Deque.create<string>(store);
    await deque.extend(['x', 'y']);
    let sent = 0;
    let decisions = 0;
    const pending = Deque.transact([{ deque, take: { side: 'left', count: 1 } }], (taken) => {
      // The anchor is read: lose the reply to the CAS that follows.
      decisions++;
      proxy.setMode('drop-responses');
      sent = proxy.bytesToServer;
      return { pushes: [{ step: 0, side: 'right', values: [{ value: `${taken[0]![0] as string}!` }] }], result: null };
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await proxy.waitForBytesToServer(sent + 24);
    await new Promise((resolve) => setTimeout(resolve, 50));
    proxy.setMode('pass');
    proxy.dropConnections();
    expect((await pending).status).toBe('committed');
    expect(decisions).toBe(1);
    expect(await deque.range(0, -1)).toEqual(['y', 'x!']);
  });
});

describe('moveTo runs through Deque.transact (transfer.ts)', () => {
  const single = useMemcached(1, { evictions: false });

  it('costs 6 round trips uncontended (both anchors read, a 2-location MCAS; 7 with a large value to fetch), moves a large value as stored, and none from an empty deque', async () => {
    const store = stores.open(single.addresses);
    const source = await Deque.create<string>(store);
    const target = await Deque.create<string>(store);
    const big = 'L'.repeat(3000);
    await source.extend(['a', big]);
    await source.length(); // connected, anchors read once
    let moved: string | undefined;
    expect(await writesDuring(store, async () => (moved = await source.moveTo(target, { from: 'right', to: 'left' })))).toBe(7);
    expect(moved).toBe(big);
    await new Promise((resolve) => setTimeout(resolve, 5)); // the MCAS's quiet descriptor delete goes out after it returned: not in the next count
    expect(await writesDuring(store, async () => (moved = await source.moveTo(target, { from: 'left', to: 'right' })))).toBe(6);
    expect(moved).toBe('a');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await writesDuring(store, async () => (moved = await source.moveTo(target)))).toBe(1); // one read: empty
    expect(moved).toBeUndefined();
    expect(await target.range(0, -1)).toEqual([big, 'a']);
    expect(source.stats.casAttempts).toBeGreaterThanOrEqual(2); // the engine's hooks still count the MCAS attempts
    expect(await target.popLeft()).toBe(big); // its item moved with it, not deleted
  });
});
