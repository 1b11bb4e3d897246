import { FaultProxy, startCluster, useMemcached, type MemcachedCluster, type MemcachedOptions } from '@mcc/harness';
import { CasUnsupportedError, Deque, DequeCorruptedError, DequeOutcomeUnknownError, McError } from '../src';
import { storeFactory, writesDuring } from './helpers';

const stores = storeFactory();

/** One server for a describe block: `server.address` inside its tests. */
function useServer(options: MemcachedOptions): { readonly address: string } {
  const used = useMemcached(1, options);
  return { get address() { return used.addresses[0]!; } };
}
afterAll(() => stores.closeAll());

describe('a server with CAS disabled (-C)', () => {
  const server = useServer({ cas: false });

  it('is refused by create before anything is written', async () => {
    const store = stores.open([server.address]);
    const error = await Deque.create(store, 'on-a-cas-less-server').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CasUnsupportedError);
    expect(await store.get('mcc:dq:on-a-cas-less-server')).toBeNull();
  });
});

describe('round trips', () => {
  const server = useServer({ evictions: false });

  it('costs one round trip per push and per pop for a lone caller (budget: push 5, pop 3)', async () => {
    const store = stores.open([server.address]);
    const deque = await Deque.create<number>(store);
    const pushes: number[] = [];
    const pops: number[] = [];
    for (let i = 0; i < 50; i++) {
      pushes.push(await writesDuring(store, () => deque.append(i)));
      pops.push(await writesDuring(store, () => deque.popLeft()));
    }
    expect(Math.max(...pushes)).toBeLessThanOrEqual(1);
    expect(Math.max(...pops)).toBeLessThanOrEqual(1);
  });

  it('combines 64 concurrent callers into a handful of anchor CASes', async () => {
    const store = stores.open([server.address]);
    const deque = await Deque.create<number>(store);
    const writes = await writesDuring(store, () => Promise.all(Array.from({ length: 64 }, (_, i) => deque.append(i))));
    expect(writes).toBeLessThanOrEqual(3);
    expect(await deque.length()).toBe(64);
  });
});

describe('corruption', () => {
  const server = useServer({ evictions: false });

  it('reports a missing chunk by key instead of skipping it', async () => {
    const store = stores.open([server.address]);
    const deque = await Deque.create<number>(store, undefined, { flushBytes: 64 });
    for (let i = 0; i < 100; i++) await deque.append(i);
    // Find a chunk in the middle and delete it behind the deque's back.
    const anchor = (await store.get<{ a: number; b: number }>(`mcc:dq:${deque.name}`))!.value;
    expect(anchor.b).toBeGreaterThan(anchor.a);
    const victim = `mcc:dq:${deque.name}:c:${anchor.a}`;
    expect(await store.delete(victim)).toBe(true);
    const reader = Deque.bind<number>(stores.open([server.address]), deque.name);
    const error = await reader.popLeft().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DequeCorruptedError);
    expect((error as DequeCorruptedError).missingKey).toBe(victim);
  });

  it('lets a second flusher publish the chunk a paused flusher wrote (helping)', async () => {
    const store = stores.open([server.address]);
    const deque = await Deque.create<number>(store, undefined, { flushBytes: 10 });
    for (let i = 0; i < 3; i++) await deque.append(i);
    const anchorKey = `mcc:dq:${deque.name}`;
    const anchor = (await store.get<{ s: number; b: number; r: unknown[] }>(anchorKey))!.value;
    expect(anchor.r.length).toBeGreaterThan(0);
    // What a flusher paused between writing its chunk and its anchor CAS leaves behind:
    const slot = `${anchorKey}:c:${anchor.b + 1}`;
    const paused = await store.add(slot, { s: anchor.s, e: anchor.r }, { kind: 4 });
    expect(paused).not.toBeNull();
    const other = Deque.bind<number>(stores.open([server.address]), deque.name, { flushBytes: 10 });
    await other.append(3);
    // The other process published the paused flusher's chunk rather than writing its own.
    const published = (await store.get<{ a: number; b: number }>(anchorKey))!.value;
    expect(published.b).toBeGreaterThanOrEqual(anchor.b + 1);
    expect((await store.get(slot))!.cas).toBe(paused!.cas);
    const values: number[] = [];
    for (let value = await other.popLeft(); value !== undefined; value = await other.popLeft()) values.push(value);
    expect(values).toEqual([0, 1, 2, 3]);
  });

  it('deletes a stale chunk left in a slot by an abandoned flush before reusing the slot', async () => {
    const store = stores.open([server.address]);
    const deque = await Deque.create<number>(store, undefined, { flushBytes: 10 });
    for (let i = 0; i < 3; i++) await deque.append(i);
    const anchorKey = `mcc:dq:${deque.name}`;
    const anchor = (await store.get<{ s: number; b: number; r: unknown[] }>(anchorKey))!.value;
    // A flush abandoned at an older anchor state: garbage with an older base and other content.
    const slot = `${anchorKey}:c:${anchor.b + 1}`;
    await store.add(slot, { s: anchor.s - 1, e: [[0, 999]] }, { kind: 4 });
    await deque.append(3);
    const values: number[] = [];
    for (let value = await deque.popLeft(); value !== undefined; value = await deque.popLeft()) values.push(value);
    expect(values).toEqual([0, 1, 2, 3]);
  });
});

describe('the next chunk slot holding a record newer than the anchor (a leftover of an earlier deque of that name)', () => {
  const server = useServer({ evictions: false });

  it('is garbage: replaced by the flush, nothing lost, not retried forever', async () => {
    const store = stores.open([server.address]);
    const deque = await Deque.create<number>(store, undefined, { flushBytes: 10 });
    await deque.append(0);
    const anchorKey = `mcc:dq:${deque.name}`;
    const anchor = (await store.get<{ s: number; b: number }>(anchorKey))!.value;
    const slot = `${anchorKey}:c:${anchor.b + 1}`;
    await store.add(slot, { s: anchor.s + 100, e: [[0, Buffer.from([1])]] }, { kind: 4 });
    await deque.append(1);
    await deque.append(2);
    // The slot now holds the flushed buffer (base: the anchor it was flushed at), not the leftover.
    expect((await store.get<{ s: number }>(slot))!.value.s).toBe(anchor.s);
    const values: number[] = [];
    for (let value = await deque.popLeft(); value !== undefined; value = await deque.popLeft()) values.push(value);
    expect(values).toEqual([0, 1, 2]);
  });
});

describe('server failures over three servers', () => {
  let cluster: MemcachedCluster;
  beforeAll(async () => (cluster = await startCluster(3, { evictions: false })));
  afterAll(() => cluster.stop());

  it('fails with typed errors within the timeout while a server is down, and reports corruption after it restarts empty', async () => {
    const store = stores.open(cluster.addresses, { requestTimeoutMs: 500, connectTimeoutMs: 300 });
    const deque = await Deque.create<number>(store, undefined, { flushBytes: 64 });
    for (let i = 0; i < 300; i++) await deque.append(i);
    const anchorServer = store.client.serverFor(`mcc:dq:${deque.name}`);
    const victim = cluster.servers.find((server) => server.address !== anchorServer)!;
    await victim.kill();

    const outcomes: unknown[] = [];
    const started = Date.now();
    for (let i = 0; i < 300; i++) {
      const outcome = await deque.popLeft().catch((error: unknown) => error);
      outcomes.push(outcome);
      if (outcome instanceof Error) break;
    }
    const failure = outcomes[outcomes.length - 1];
    expect(McError.isMcError(failure)).toBe(true);
    expect(['MCC_ERR_CONNECTION', 'MCC_ERR_CONNECTION_CLOSED', 'MCC_ERR_TIMEOUT']).toContain((failure as McError).code);
    expect(Date.now() - started).toBeLessThan(10_000);

    await victim.restart();
    // Until the client's reconnect back-off has passed, pops touching the victim
    // still fail fast with connection errors; then the lost chunks must show.
    let corruption: unknown;
    const deadline = Date.now() + 20_000;
    while (corruption === undefined && Date.now() < deadline) {
      await deque.popLeft().then(
        (value) => { if (value === undefined) corruption = new Error('drained without noticing the lost chunks'); },
        async (error: unknown) => {
          if (error instanceof DequeCorruptedError) corruption = error;
          else await new Promise((resolve) => setTimeout(resolve, 20));
        },
      );
    }
    expect(corruption).toBeInstanceOf(DequeCorruptedError);
    expect(store.client.serverFor((corruption as DequeCorruptedError).missingKey)).toBe(victim.address);
  }, 60_000);
});

describe('helping a pusher stopped mid-push', () => {
  const server = useServer({ evictions: false });
  let proxy: FaultProxy;
  beforeAll(async () => (proxy = await FaultProxy.start(server.address)));
  afterAll(() => proxy.close());

  it('another process publishes the chunk a pusher wrote before it went silent, and nothing is lost', async () => {
    const paused = stores.open([proxy.address], { requestTimeoutMs: 1500, connectTimeoutMs: 500 });
    const direct = stores.open([server.address]);
    const options = { flushBytes: 10 };
    const a = await Deque.create<number>(paused, undefined, options);
    await a.append(0);
    const anchorKey = `mcc:dq:${a.name}`;
    const before = (await direct.get<{ s: number; b: number }>(anchorKey))!;
    const slot = `${anchorKey}:c:${before.value.b + 1}`;

    // The pusher's flush reaches memcached, but it hears nothing back: it is stopped after writing its chunk.
    proxy.setMode('drop-responses');
    const stalled = a.append(1).catch((error: unknown) => error);
    const deadline = Date.now() + 5000;
    while ((await direct.get(slot)) === null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    const written = await direct.get<{ s: number }>(slot);
    expect(written?.value.s).toBe(before.value.s);

    // Another process pushes: it finds the unpublished chunk of the current anchor state and publishes it.
    const b = Deque.bind<number>(direct, a.name, options);
    await b.append(2);
    expect((await direct.get(slot))!.cas).toBe(written!.cas); // the stalled pusher's chunk, not a new one
    expect((await direct.get<{ s: number }>(anchorKey))!.value.s).toBeGreaterThan(before.value.s);

    // The stalled push fails without having happened; nothing else is lost or duplicated.
    expect(McError.isMcError(await stalled)).toBe(true);
    proxy.setMode('pass');
    proxy.dropConnections();
    await a.append(1);
    const values: number[] = [];
    for (let value = await b.popLeft(); value !== undefined; value = await b.popLeft()) values.push(value);
    expect(values).toEqual([0, 2, 1]);
  });
});

describe('lost replies', () => {
  const server = useServer({ evictions: false });
  let proxy: FaultProxy;
  beforeAll(async () => (proxy = await FaultProxy.start(server.address)));
  afterAll(() => proxy.close());

  it('resolves a pop whose CAS reply was lost by re-reading the anchor', async () => {
    const store = stores.open([proxy.address], { requestTimeoutMs: 2000 });
    const deque = await Deque.create<string>(store);
    await deque.append('x');
    await deque.append('y');
    proxy.setMode('drop-responses');
    const sent = proxy.bytesToServer;
    const pop = deque.popLeft();
    await proxy.waitForBytesToServer(sent + 24);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let memcached apply it
    proxy.setMode('pass');
    proxy.dropConnections();
    expect(await pop).toBe('x');
    expect(await deque.length()).toBe(1);
    expect(await deque.popLeft()).toBe('y');
  });

  it('carries the popped value in the error when the outcome cannot be learned', async () => {
    const store = stores.open([proxy.address], { requestTimeoutMs: 300, connectTimeoutMs: 300 });
    const deque = await Deque.create<string>(store);
    await deque.append('precious');
    proxy.setMode('drop-responses');
    const error = await deque.popLeft().catch((caught: unknown) => caught);
    proxy.setMode('pass');
    expect(error).toBeInstanceOf(DequeOutcomeUnknownError);
    expect((error as DequeOutcomeUnknownError).value).toBe('precious');
    // The CAS did reach the server: the value is out of the deque — and in the error.
    const check = Deque.bind<string>(stores.open([server.address]), deque.name);
    expect(await check.length()).toBe(0);
  });
});
