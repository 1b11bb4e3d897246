/**
 * Failure semantics (the "Failures" section of packages/protocol/README.md) against real memcached, through a fault
 * proxy and by killing servers: every request settles, with a typed error,
 * within its timeout; nothing is resent; the client recovers by itself; a
 * dead server is not remapped.
 */
import { FaultProxy, freePort, startMemcached, usePrivateMemcached, type MemcachedServer } from '@mcc/harness';
import {
  ClientClosedError,
  Client,
  ConnectionClosedError,
  ConnectionError,
  McError,
  ProtocolError,
  QueueFullError,
  TimeoutError,
  exponentialBackoff,
  type ClientOptions,
} from '../src';
import { codeOf, rejectionOf, sleep, timed, uniqueKey, waitFor } from './helpers';

const TIMEOUT_MS = 300;
/** Timers may fire late on a busy machine; a settled request must still be well within this of its deadline. */
const MARGIN_MS = 250;

const CONNECTION_FAILURES = [ConnectionError.code, ConnectionClosedError.code];

/** The request's key and server are on every operation error. */
function expectWhere(error: unknown, key: string, server: string): void {
  expect(McError.isMcError(error)).toBe(true);
  expect({ key: (error as McError).key, server: (error as McError).server }).toEqual({ key, server });
}

describe('failures through a fault proxy', () => {
  const mc = usePrivateMemcached(1);
  let proxy: FaultProxy;
  let direct: Client; // straight to the server, to see what really happened
  let clients: Client[] = [];
  const backgroundErrors: Error[] = [];

  function open(options: ClientOptions = {}): Client {
    const client = new Client([proxy.address], {
      requestTimeoutMs: TIMEOUT_MS,
      connectTimeoutMs: TIMEOUT_MS,
      onBackgroundError: (error) => backgroundErrors.push(error),
      ...options,
    });
    clients.push(client);
    return client;
  }

  beforeAll(() => {
    direct = new Client(mc.addresses);
  });
  afterAll(async () => {
    await direct.close();
  });
  beforeEach(async () => {
    proxy = await FaultProxy.start(mc.addresses[0]!);
    backgroundErrors.length = 0;
  });
  afterEach(async () => {
    await Promise.all(clients.map((client) => client.close()));
    clients = [];
    await proxy.close();
  });

  test('blackhole: the oldest request times out after requestTimeoutMs, the others on its connection fail with it; then pass works at once', async () => {
    const client = open();
    await client.noop();
    const keys = Array.from({ length: 20 }, (_, i) => uniqueKey(`bh-${i}`));
    proxy.setMode('blackhole');
    const start = performance.now();
    const outcomes = await Promise.all(
      keys.map((key, i) => timed<unknown>(i % 3 === 0 ? client.get(key) : i % 3 === 1 ? client.set(key, 'v') : client.incr(key, 1, { initial: 0 }), start)),
    );
    outcomes.forEach(({ result, ms }, i) => {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as McError;
      expect([TimeoutError.code, ConnectionClosedError.code]).toContain(error.code);
      expectWhere(error, keys[i]!, proxy.address);
      expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
      expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    });
    const first = (outcomes[0]!.result as PromiseRejectedResult).reason as TimeoutError;
    expect(first).toBeInstanceOf(TimeoutError);
    expect(first.phase).toBe('request');
    expect(first.timeoutMs).toBe(TIMEOUT_MS);

    proxy.setMode('pass');
    // The client closed the stalled connection: the next request opens a new one and succeeds.
    expect(await client.set(keys[0]!, 'back')).not.toBeNull();
    expect((await client.get(keys[0]!))!.value.toString()).toBe('back');
    expect(proxy.acceptedCount).toBe(2);
  });

  test('blackhole while connecting: TimeoutError within the timeout, fail fast during backoff, recovery after pass', async () => {
    proxy.setMode('blackhole');
    // The back-off must outlast the gap to the next call even on a loaded machine (100 ms did not, at load 20).
    const backoffMs = 400;
    const client = open({ reconnectStrategy: () => backoffMs });
    const key = uniqueKey('bh-connect');
    const first = await timed(client.get(key));
    expect(first.result.status).toBe('rejected');
    const error = (first.result as PromiseRejectedResult).reason as TimeoutError;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(first.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 10);
    expect(first.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    expectWhere(error, key, proxy.address);

    // backoff: no new connection, an immediate ConnectionError
    const accepted = proxy.acceptedCount;
    const fast = await timed(client.get(key));
    expect(codeOf((fast.result as PromiseRejectedResult).reason)).toBe(ConnectionError.code);
    expectWhere((fast.result as PromiseRejectedResult).reason, key, proxy.address);
    expect(fast.ms).toBeLessThan(50);
    expect(proxy.acceptedCount).toBe(accepted);

    proxy.setMode('pass');
    const start = performance.now();
    await waitFor(async () => {
      try {
        await client.noop();
        return true;
      } catch (failure) {
        expect(codeOf(failure)).toBe(ConnectionError.code);
        return false;
      }
    }, 'the client to reconnect');
    expect(performance.now() - start).toBeLessThan(backoffMs + MARGIN_MS);
  });

  test('lost replies (drop-responses): the request times out, and was applied', async () => {
    const client = open();
    const key = uniqueKey('lost-reply');
    await client.noop();
    proxy.setMode('drop-responses');
    const outcome = await timed(client.set(key, 'applied'));
    expect(codeOf((outcome.result as PromiseRejectedResult).reason)).toBe(TimeoutError.code);
    expect(outcome.ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
    expect((await direct.get(key))!.value.toString()).toBe('applied');
  });

  test('dropConnections with 100 increments in flight: each rejects ConnectionClosedError, none is resent', async () => {
    const client = open({ requestTimeoutMs: 10_000 });
    const key = uniqueKey('drop-counter');
    await direct.set(key, '0');
    await client.noop();
    // The server applies every increment but its replies are lost...
    proxy.setMode('drop-responses');
    const outcomes = Array.from({ length: 100 }, () => timed(client.incr(key, 1)));
    await waitFor(async () => (await direct.get(key))!.value.toString() === '100', 'all 100 increments to be applied');
    // ...then the connection drops: every increment is in doubt.
    const dropped = performance.now();
    proxy.dropConnections();
    const results = await Promise.all(outcomes);
    for (const { result } of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as ConnectionClosedError;
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expect(error.message).toMatch(/may or may not have been applied/);
      expectWhere(error, key, proxy.address);
    }
    expect(performance.now() - dropped).toBeLessThan(MARGIN_MS);

    proxy.setMode('pass');
    // The next request reconnects; had anything been resent, the counter would pass 100.
    expect(await client.incr(key, 0)).toBe(100n);
    expect(proxy.acceptedCount).toBe(2);
    expect((await direct.get(key))!.value.toString()).toBe('100');
  });

  test('a read in flight when the connection drops says it read nothing (no "may have been applied")', async () => {
    const client = open({ requestTimeoutMs: 10_000 });
    const key = uniqueKey('drop-read');
    await direct.set(key, 'value');
    await client.noop();
    proxy.setMode('drop-responses');
    const read = rejectionOf(client.get(key));
    await sleep(50);
    proxy.dropConnections();
    const error = await read;
    expect(error).toBeInstanceOf(ConnectionClosedError);
    expect(error.message).toMatch(/it read nothing \(retrying it is safe\)/);
    expect(error.message).not.toMatch(/applied/);
    proxy.setMode('pass');
  });

  test('dropConnections mid-reply: acknowledged ≤ counter ≤ acknowledged + in doubt, never more than issued', async () => {
    const client = open({ requestTimeoutMs: 10_000 });
    const key = uniqueKey('drop-mid');
    await direct.set(key, '0');
    await client.noop();
    proxy.setResponseChunkSize(5); // replies trickle in, so most are still on their way
    const promises = Array.from({ length: 100 }, () => client.incr(key, 1));
    void promises[0]!.then(() => proxy.dropConnections(), () => undefined);
    const results = await Promise.allSettled(promises);
    const acknowledged = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value!] : []));
    const inDoubt = results.filter((result) => result.status === 'rejected');
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(inDoubt.length).toBeGreaterThan(0);
    expect(acknowledged.length + inDoubt.length).toBe(100);
    // acknowledged ones came first, in order, with the values they produced
    expect(acknowledged).toEqual(acknowledged.map((_, i) => BigInt(i + 1)));
    results.slice(0, acknowledged.length).forEach((result) => expect(result.status).toBe('fulfilled'));
    for (const result of inDoubt) {
      const error = (result as PromiseRejectedResult).reason as McError;
      expect(error).toBeInstanceOf(ConnectionClosedError);
      expectWhere(error, key, proxy.address);
    }

    proxy.setResponseChunkSize(0);
    const counter = await client.incr(key, 0); // reconnects
    expect(counter).not.toBeNull();
    expect(counter!).toBeGreaterThanOrEqual(BigInt(acknowledged.length));
    expect(counter!).toBeLessThanOrEqual(BigInt(acknowledged.length + inDoubt.length));
    expect(counter!).toBeLessThanOrEqual(100n);
    expect(BigInt((await direct.get(key))!.value.toString())).toBe(counter);
  });

  test('a reply cut mid-frame: the requests after the cut reject, the ones before resolve, the client recovers', async () => {
    const client = open({ requestTimeoutMs: 10_000 });
    const keys = Array.from({ length: 10 }, (_, i) => uniqueKey(`cut-${i}`));
    const valueOf = (key: string): string => key.padEnd(1000, '.');
    await Promise.all(keys.map((key) => direct.set(key, valueOf(key))));
    await client.noop();
    proxy.cutNextResponse();
    const results = await Promise.allSettled(keys.map((key) => client.get(key)));
    const resolved = results.filter((result) => result.status === 'fulfilled').length;
    expect(resolved).toBeLessThan(keys.length);
    results.forEach((result, i) => {
      if (i < resolved) {
        expect((result as PromiseFulfilledResult<{ value: Buffer }>).value.value.toString()).toBe(valueOf(keys[i]!));
      } else {
        expect(result.status).toBe('rejected');
        const error = (result as PromiseRejectedResult).reason as McError;
        expect([ConnectionClosedError.code, ProtocolError.code]).toContain(error.code);
        expectWhere(error, keys[i]!, proxy.address);
      }
    });
    // the half frame is forgotten: the new connection parses cleanly
    const again = await client.getMulti(keys);
    expect(keys.map((key) => again.get(key)?.value.toString())).toEqual(keys.map(valueOf));
    expect(proxy.acceptedCount).toBe(2);
  });

  test('a handshake reply cut mid-frame: ConnectionError, then the client connects after the backoff', async () => {
    proxy.cutNextResponse();
    const client = open({ reconnectStrategy: () => 20 });
    const key = uniqueKey('cut-handshake');
    const error = await rejectionOf(client.get(key));
    expect(error).toBeInstanceOf(ConnectionError);
    expectWhere(error, key, proxy.address);
    await waitFor(async () => {
      try {
        await client.set(key, 'ok');
        return true;
      } catch (failure) {
        expect(codeOf(failure)).toBe(ConnectionError.code);
        return false;
      }
    }, 'the client to connect');
    expect((await client.get(key))!.value.toString()).toBe('ok');
  });

  test.each([1, 2, 3, 4, 5, 6, 7])('replies split into %i-byte pieces (handshake included) parse correctly', async (size) => {
    proxy.setResponseChunkSize(size);
    const client = open({ requestTimeoutMs: 10_000, connectTimeoutMs: 10_000 });
    const tag = `{${uniqueKey(`split-${size}`)}}`;
    const binary = Buffer.from(Array.from({ length: 600 }, (_, i) => (i * 13) % 256));
    const [cas1, cas2, counter, deleted, gone] = await Promise.all([
      client.set(`${tag}bin`, binary, { flags: 0xfeedface }),
      client.set(`${tag}empty`, ''),
      client.incr(`${tag}counter`, 5, { initial: 40 }),
      client.deleteQuiet(`${tag}never`),
      client.delete(`${tag}never2`),
    ]);
    expect(typeof cas1).toBe('bigint');
    expect(typeof cas2).toBe('bigint');
    expect(counter).toBe(40n);
    expect(deleted).toBe(false);
    expect(gone).toBe(false);
    const [item, empty, many, incremented, stats] = await Promise.all([
      client.get(`${tag}bin`),
      client.get(`${tag}empty`),
      client.getMulti([`${tag}missing`, `${tag}bin`, `${tag}empty`, `${tag}missing2`]),
      client.incr(`${tag}counter`, 2),
      client.stats(),
    ]);
    expect(item!.value.equals(binary)).toBe(true);
    expect(item!.flags).toBe(0xfeedface);
    expect(item!.cas).toBe(cas1);
    expect(empty!.value.length).toBe(0);
    expect(empty!.cas).toBe(cas2);
    expect([...many.keys()].sort()).toEqual([`${tag}bin`, `${tag}empty`].sort());
    expect(many.get(`${tag}bin`)!.value.equals(binary)).toBe(true);
    expect(incremented).toBe(42n);
    expect(stats.get(proxy.address)!.get('pid')).toBe(String(mc.servers[0]!.pid));
    expect((await client.serverInfo()).pid).toBe(mc.servers[0]!.pid);
    expect(proxy.acceptedCount).toBe(1);
    expect(client.metrics.errors).toBe(0);
  });

  test("'refuse': a new connection fails with ConnectionError quickly; existing connections keep working", async () => {
    const connected = open();
    await connected.noop();
    proxy.setMode('refuse');
    const client = open({ reconnectStrategy: () => 50 });
    const key = uniqueKey('refused');
    const outcome = await timed(client.get(key));
    const error = (outcome.result as PromiseRejectedResult).reason as ConnectionError;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.code).toBe('MCC_ERR_CONNECTION');
    expectWhere(error, key, proxy.address);
    expect(outcome.ms).toBeLessThan(100);
    await expect(connected.noop()).resolves.toBeUndefined();

    proxy.setMode('pass');
    await waitFor(async () => {
      try {
        await client.get(key);
        return true;
      } catch (failure) {
        expect(codeOf(failure)).toBe(ConnectionError.code);
        return false;
      }
    }, 'the client to connect', 1000);
  });

  test('close() with requests in flight and queued: all reject ClientClosedError at once; later calls too', async () => {
    const client = open({ requestTimeoutMs: 10_000, connectTimeoutMs: 10_000 });
    await client.noop();
    proxy.setMode('blackhole'); // written, never answered: in flight
    const key = uniqueKey('closing');
    const inFlight: Array<Promise<unknown>> = [
      ...Array.from({ length: 30 }, (_, i) => client.get(`${key}:${i}`)),
      client.set(key, 'v'),
      client.getMulti([key, `${key}:x`]),
      client.deleteQuiet(key),
      client.stats(),
    ];
    // a second client still connecting: its requests are queued, not sent
    const connecting = open({ requestTimeoutMs: 10_000, connectTimeoutMs: 10_000 });
    const queued = [connecting.get(key), connecting.incr(key, 1), connecting.noop()];
    const settled = Promise.allSettled([...inFlight, ...queued]);
    await sleep(0);

    const start = performance.now();
    await Promise.all([client.close(), connecting.close()]);
    const results = await settled;
    expect(performance.now() - start).toBeLessThan(100);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(ClientClosedError);
      expect(codeOf((result as PromiseRejectedResult).reason)).toBe('MCC_ERR_CLIENT_CLOSED');
    }

    const later: Array<() => Promise<unknown>> = [
      () => client.get(key), () => client.getMulti([key]), () => client.set(key, 'v'), () => client.add(key, 'v'),
      () => client.replace(key, 'v'), () => client.append(key, 'v'), () => client.prepend(key, 'v'),
      () => client.delete(key), () => client.deleteQuiet(key), () => client.incr(key, 1), () => client.decr(key, 1),
      () => client.touch(key, 1), () => client.noop(), () => client.version(), () => client.stats(),
      () => client.flush(), () => client.serverInfo(),
    ];
    for (const call of later) expect(await rejectionOf(call())).toBeInstanceOf(ClientClosedError);
    await expect(client.close()).resolves.toBeUndefined(); // idempotent
    // being closed is not a background failure
    expect(backgroundErrors).toEqual([]);
  });

  test('requests to a dead server never outlive requestTimeoutMs, whichever timeout is shorter', async () => {
    const nothingThere = `127.0.0.1:${await freePort()}`;
    const cases: Array<{ name: string; servers: string; options: ClientOptions; codes: string[] }> = [
      { name: 'connection refused', servers: nothingThere, options: {}, codes: [ConnectionError.code] },
      { name: 'stalled connect, short request timeout', servers: proxy.address, options: { connectTimeoutMs: 2000 }, codes: [TimeoutError.code] },
      { name: 'stalled connect, short connect timeout', servers: proxy.address, options: { requestTimeoutMs: 2000 }, codes: [TimeoutError.code] },
    ];
    proxy.setMode('blackhole');
    await Promise.all(
      cases.map(async ({ name, servers, options, codes }) => {
        const client = new Client(servers, { requestTimeoutMs: TIMEOUT_MS, connectTimeoutMs: TIMEOUT_MS, onBackgroundError: () => {}, ...options });
        clients.push(client);
        const start = performance.now();
        const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => timed(client.get(`${name}:${i}`.replace(/ /g, '_')), start)));
        for (const { result, ms } of outcomes) {
          expect({ name, status: result.status }).toEqual({ name, status: 'rejected' });
          expect({ name, known: codes.includes(codeOf((result as PromiseRejectedResult).reason)) }).toEqual({ name, known: true });
          expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
        }
      }),
    );
  });

  test('a slow but healthy server: a reconnect handshake is not cut short by an earlier request’s timer', async () => {
    // Every chunk takes 300 ms each way: a handshake takes ~600 ms, a request ~600 ms more.
    const DELAY = 300;
    const TIMEOUT = 1500;
    proxy.setDelay(DELAY);
    const client = open({ requestTimeoutMs: TIMEOUT, connectTimeoutMs: 5000 });
    const key = uniqueKey('slow');
    await direct.set(key, 'slow value');
    const t0 = performance.now();
    // r1 connects (handshake) and completes at ~1200 ms, before its deadline; its timer fires at t0 + 1500.
    expect((await client.get(key))!.value.toString()).toBe('slow value');
    expect(performance.now() - t0).toBeLessThan(TIMEOUT);
    // The connection drops; r2 was already on it, so it is in doubt...
    proxy.dropConnections();
    expect(await rejectionOf(client.get(key))).toBeInstanceOf(ConnectionClosedError);
    // ...and r3 reconnects: its ~600 ms handshake spans t0 + 1500, when r1's deadline timer fires
    // (that timer once took the handshake's own requests for timed out and killed the connection).
    const r3Start = performance.now();
    expect(r3Start - t0).toBeLessThan(TIMEOUT - 50);
    const r3 = await timed(client.get(key), r3Start);
    expect(r3.result.status).toBe('fulfilled');
    expect((r3.result as PromiseFulfilledResult<{ value: Buffer } | null>).value!.value.toString()).toBe('slow value');
    expect(r3.ms).toBeGreaterThanOrEqual(4 * DELAY - 20);
    expect(r3.ms).toBeLessThan(TIMEOUT);
  });

  test('maxQueueLength: requests beyond it fail at once with QueueFullError; the queued ones are unaffected', async () => {
    const client = open({ maxQueueLength: 10, requestTimeoutMs: 10_000 });
    await client.noop();
    proxy.setDelay(100);
    const key = uniqueKey('queue');
    await direct.set(key, 'q');
    const start = performance.now();
    const outcomes = Array.from({ length: 15 }, (_, i) => timed(client.get(`${key}${i === 0 ? '' : `:${i}`}`), start));
    const results = await Promise.all(outcomes);
    results.slice(10).forEach(({ result, ms }, i) => {
      const error = (result as PromiseRejectedResult).reason as QueueFullError;
      expect(error).toBeInstanceOf(QueueFullError);
      expect(error.code).toBe('MCC_ERR_QUEUE_FULL');
      expectWhere(error, `${key}:${i + 10}`, proxy.address);
      expect(ms).toBeLessThan(50);
    });
    expect((results[0]!.result as PromiseFulfilledResult<{ value: Buffer }>).value.value.toString()).toBe('q');
    results.slice(1, 10).forEach(({ result }) => expect(result).toEqual({ status: 'fulfilled', value: null }));
    // the queue drained: room again
    expect((await client.get(key))!.value.toString()).toBe('q');
  });
});

describe('killed servers', () => {
  let server: MemcachedServer;
  let client: Client;
  const CAP_MS = 500;
  beforeAll(async () => {
    server = await startMemcached();
    client = new Client([server.address], {
      requestTimeoutMs: TIMEOUT_MS,
      connectTimeoutMs: TIMEOUT_MS,
      reconnectStrategy: exponentialBackoff(50, CAP_MS),
      onBackgroundError: () => {},
    });
  });
  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  test('kill: requests fail fast with connection errors (< 100 ms) during backoff; after restart the client is back within the backoff cap', async () => {
    const key = uniqueKey('killed');
    await client.set(key, 'v');
    await server.kill();
    const messages: string[] = [];
    const end = performance.now() + 600;
    let attempts = 0;
    while (performance.now() < end) {
      const { result, ms } = await timed(client.get(key));
      attempts++;
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as McError;
      expect(CONNECTION_FAILURES).toContain(error.code);
      expectWhere(error, key, server.address);
      expect(ms).toBeLessThan(100);
      messages.push(error.message);
      await sleep(10); // pacing, not waiting for anything
    }
    expect(attempts).toBeGreaterThan(10);
    // most of them failed without even trying to connect
    expect(messages.filter((message) => /next connection attempt in \d+ ms/.test(message)).length).toBeGreaterThan(attempts / 2);

    await server.restart();
    const restarted = performance.now();
    await waitFor(async () => {
      try {
        await client.get(key);
        return true;
      } catch (error) {
        expect(CONNECTION_FAILURES).toContain(codeOf(error));
        return false;
      }
    }, 'the client to reconnect', CAP_MS + 1000, 5);
    expect(performance.now() - restarted).toBeLessThan(CAP_MS + MARGIN_MS);
    expect(await client.get(key)).toBeNull(); // a fresh process: memory is empty
    expect((await client.serverInfo()).pid).toBe(server.pid);
  });
});

describe('one dead server of three', () => {
  const mc = usePrivateMemcached(3);
  let client: Client;
  const backgroundErrors: Error[] = [];
  beforeAll(() => {
    client = new Client(mc.addresses, {
      requestTimeoutMs: TIMEOUT_MS,
      connectTimeoutMs: TIMEOUT_MS,
      reconnectStrategy: () => 50,
      onBackgroundError: (error) => backgroundErrors.push(error),
    });
  });
  afterAll(async () => {
    await client.close();
  });

  test('keys of the dead server fail clearly and are not remapped; the others work; it comes back after restart', async () => {
    const [live1, dead, live2] = mc.addresses as [string, string, string];
    const base = uniqueKey('partial');
    const keys = Array.from({ length: 90 }, (_, i) => `${base}:${i}`);
    const owner = new Map(keys.map((key) => [key, client.serverFor(key)]));
    const deadKeys = keys.filter((key) => owner.get(key) === dead);
    const liveKeys = keys.filter((key) => owner.get(key) !== dead);
    expect(deadKeys.length).toBeGreaterThan(0);
    expect(new Set(liveKeys.map((key) => owner.get(key)))).toEqual(new Set([live1, live2]));
    await client.noop();

    await mc.servers[1]!.kill();
    const start = performance.now();
    const outcomes = await Promise.all(keys.map((key) => timed(client.set(key, `v:${key}`), start)));
    keys.forEach((key, i) => {
      const { result, ms } = outcomes[i]!;
      expect(ms).toBeLessThan(TIMEOUT_MS + MARGIN_MS);
      if (owner.get(key) === dead) {
        expect(result.status).toBe('rejected');
        expect(CONNECTION_FAILURES).toContain(codeOf((result as PromiseRejectedResult).reason));
        expectWhere((result as PromiseRejectedResult).reason, key, dead);
      } else {
        expect(result.status).toBe('fulfilled');
      }
    });
    expect(keys.map((key) => client.serverFor(key))).toEqual(keys.map((key) => owner.get(key)));

    // nothing of the dead server's went to the live ones
    for (const live of [live1, live2]) {
      const single = new Client([live]);
      expect((await single.getMulti(deadKeys)).size).toBe(0);
      expect((await single.getMulti(liveKeys)).size).toBe(liveKeys.filter((key) => owner.get(key) === live).length);
      await single.close();
    }
    // reads: live keys work, dead ones keep failing clearly
    expect((await client.getMulti(liveKeys)).size).toBe(liveKeys.length);
    expect(CONNECTION_FAILURES).toContain(codeOf(await rejectionOf(client.get(deadKeys[0]!))));
    expect(CONNECTION_FAILURES).toContain(codeOf(await rejectionOf(client.getMulti(keys))));
    expect(CONNECTION_FAILURES).toContain(codeOf(await rejectionOf(client.noop())));
    await expect(client.noop(live1)).resolves.toBeUndefined();
    // a fire-and-forget delete on the dead server reports to onBackgroundError
    backgroundErrors.length = 0;
    void client.deleteQuiet(deadKeys[0]!);
    await waitFor(() => backgroundErrors.length > 0, 'the background error');
    expect(CONNECTION_FAILURES).toContain(codeOf(backgroundErrors[0]));
    expectWhere(backgroundErrors[0], deadKeys[0]!, dead);

    await mc.servers[1]!.restart();
    await waitFor(async () => {
      try {
        await client.set(deadKeys[0]!, 'back');
        return true;
      } catch (error) {
        expect(CONNECTION_FAILURES).toContain(codeOf(error));
        return false;
      }
    }, 'the restarted server to be reachable');
    await Promise.all(deadKeys.map((key) => client.set(key, `v:${key}`)));
    const all = await client.getMulti(keys);
    expect(keys.map((key) => all.get(key)?.value.toString())).toEqual(keys.map((key) => `v:${key}`));
  });

  test('the default onBackgroundError turns an unawaited failure into a process warning', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const nothingThere = `127.0.0.1:${await freePort()}`;
    const plain = new Client([nothingThere]);
    try {
      const key = uniqueKey('warned');
      void plain.deleteQuiet(key);
      await waitFor(() => warn.mock.calls.length > 0, 'a process warning');
      const [message, options] = warn.mock.calls[0]! as unknown as [string, { type: string; code: string }];
      expect(message).toContain(nothingThere);
      expect(options).toEqual({ type: 'ConnectionError', code: 'MCC_ERR_CONNECTION' });
    } finally {
      warn.mockRestore();
      await plain.close();
    }
  });
});
