/**
 * The flight window (`maxBytesInFlight`) against a real memcached: large
 * values go out a few at a time, never more than the window allows, gets
 * (small requests, large replies) are not held back, and every request
 * still settles with its own result, in order, quiet ones included; held
 * requests wait unwritten, survive a dropped connection and time out like
 * any other (fault proxy). Runs on either wire (MCC_PROTOCOL).
 */
import { FaultProxy, useMemcached, usePrivateMemcached } from '@mcc/harness';
import { Client, ConnectionClosedError, TimeoutError } from '../src';
import { codeOf, sleep, timed, uniqueKey } from './helpers';

const SIZE = 100 * 1024;
const WINDOW = 250 * 1024;

function valueFor(index: number): Buffer {
  return Buffer.alloc(SIZE, index % 251);
}

/**
 * Runs `count` calls at once; returns their results and the most requests
 * encoded and unanswered (replies of one reply each), sampled on every turn of the event loop (between
 * socket reads) until all settled.
 */
async function burst<T>(client: Client, count: number, call: (index: number) => Promise<T>): Promise<{ results: T[]; most: number }> {
  await client.noop(); // connected: the handshake's many stats replies are counted before the baseline
  const baseline = client.metrics.requests - client.metrics.responses;
  let most = 0;
  let done = false;
  const sample = (): void => {
    most = Math.max(most, client.metrics.requests - client.metrics.responses - baseline);
    if (!done) setImmediate(sample);
  };
  setImmediate(sample);
  try {
    return { results: await Promise.all(Array.from({ length: count }, (_, index) => call(index))), most };
  } finally {
    done = true;
  }
}

describe('maxBytesInFlight', () => {
  const mc = useMemcached(1, { memoryMb: 64 });

  test('40 sets of 100 KiB at once: at most 3 in flight with a 250 KiB window; 40 gets of them all at once, every value intact', async () => {
    const client = new Client(mc.addresses, { maxBytesInFlight: WINDOW });
    try {
      const base = uniqueKey('window');
      const keys = Array.from({ length: 40 }, (_, i) => `${base}:${i}`);
      const sets = await burst(client, keys.length, (i) => client.set(keys[i]!, valueFor(i)));
      expect(sets.results.every((cas) => typeof cas === 'bigint')).toBe(true);
      // 100 KiB each: 0, 100, 200 KiB in flight leave the window open, the third reaches 300 KiB and shuts it.
      expect(sets.most).toBeLessThanOrEqual(3);
      expect(sets.most).toBeGreaterThanOrEqual(2); // still pipelined within the window

      // A get writes a few dozen bytes: its 100 KiB reply does not count against the window.
      const gets = await burst(client, keys.length, (i) => client.get(keys[i]!));
      gets.results.forEach((item, i) => expect(item?.value.equals(valueFor(i))).toBe(true));
      expect(gets.most).toBe(keys.length);
    } finally {
      await client.close();
    }
  });

  test('without the bound (Infinity) the same burst of sets is all in flight at once', async () => {
    const client = new Client(mc.addresses, { maxBytesInFlight: Infinity });
    try {
      const base = uniqueKey('unbounded');
      const sets = await burst(client, 40, (i) => client.set(`${base}:${i}`, valueFor(i)));
      expect(sets.most).toBeGreaterThan(10);
    } finally {
      await client.close();
    }
  });

  test('quiet and mixed requests behind a tiny window all settle with their own results', async () => {
    const client = new Client(mc.addresses, { maxBytesInFlight: 1 });
    try {
      const base = uniqueKey('tiny');
      const keys = Array.from({ length: 20 }, (_, i) => `${base}:${i}`);
      const calls: Promise<unknown>[] = [];
      for (const [i, key] of keys.entries()) {
        calls.push(client.set(key, i % 2 === 0 ? valueFor(i) : Buffer.from(`small ${i}`)));
        calls.push(client.getMulti([key, `${key}:missing`]));
        if (i % 5 === 0) calls.push(client.deleteQuiet(`${key}:never-set`));
      }
      const results = await Promise.all(calls);
      let at = 0;
      for (const [i, key] of keys.entries()) {
        expect(typeof results[at++]).toBe('bigint');
        const found = results[at++] as Map<string, { value: Buffer }>;
        expect([...found.keys()]).toEqual([key]);
        expect(found.get(key)!.value.equals(i % 2 === 0 ? valueFor(i) : Buffer.from(`small ${i}`))).toBe(true);
        if (i % 5 === 0) expect(results[at++]).toBe(false);
      }
    } finally {
      await client.close();
    }
  });

  test('a bad bound is refused at construction', () => {
    for (const bad of [0, -1, Number.NaN, '1024' as unknown as number]) {
      expect(() => new Client(mc.addresses, { maxBytesInFlight: bad })).toThrow(/maxBytesInFlight/);
    }
  });
});

describe('maxBytesInFlight through a fault proxy', () => {
  const mc = usePrivateMemcached(1);
  let proxy: FaultProxy;
  let direct: Client; // straight to the server, to see what was stored
  beforeAll(() => {
    direct = new Client(mc.addresses);
  });
  afterAll(async () => {
    await direct.close();
  });
  beforeEach(async () => {
    proxy = await FaultProxy.start(mc.addresses[0]!);
  });
  afterEach(async () => {
    await proxy.close();
  });

  test('requests held behind the window are not written, and go out on the next connection after a drop', async () => {
    const client = new Client([proxy.address], { maxBytesInFlight: 150 * 1024, requestTimeoutMs: 5000 });
    try {
      await client.noop();
      const base = uniqueKey('held');
      const keys = Array.from({ length: 6 }, (_, i) => `${base}:${i}`);
      proxy.setMode('drop-responses'); // the first two sets reach memcached, their replies never come back
      const outcomes = keys.map((key, i) => client.set(key, valueFor(i)).then((cas) => ({ cas }), (error: Error) => ({ error })));
      await proxy.waitForBytesToServer(2 * SIZE);
      await sleep(100);
      const sent = proxy.bytesToServer;
      expect(sent).toBeLessThan(3 * SIZE); // the other four are held by the window
      proxy.setMode('pass');
      proxy.dropConnections();
      const results = await Promise.all(outcomes);
      // In flight when the connection dropped: outcome unknown, so rejected (memcached did store them).
      for (const result of results.slice(0, 2)) expect(codeOf((result as { error: Error }).error)).toBe(ConnectionClosedError.code);
      for (const result of results.slice(2)) expect(typeof (result as { cas: bigint }).cas).toBe('bigint');
      for (const [i, key] of keys.entries()) expect((await direct.get(key))?.value.equals(valueFor(i))).toBe(true);
      expect(proxy.acceptedCount).toBe(2);
    } finally {
      await client.close();
    }
  });

  test('requests held behind the window time out within requestTimeoutMs when nothing answers', async () => {
    const timeoutMs = 300;
    const client = new Client([proxy.address], { maxBytesInFlight: 150 * 1024, requestTimeoutMs: timeoutMs });
    try {
      await client.noop();
      proxy.setMode('blackhole');
      const base = uniqueKey('stalled');
      const start = performance.now();
      const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => timed(client.set(`${base}:${i}`, valueFor(i)), start)));
      for (const { result, ms } of outcomes) {
        expect(result.status).toBe('rejected');
        expect([TimeoutError.code, ConnectionClosedError.code]).toContain(codeOf((result as PromiseRejectedResult).reason));
        expect(ms).toBeGreaterThanOrEqual(timeoutMs - 10);
        expect(ms).toBeLessThan(timeoutMs + 1000);
      }
    } finally {
      await client.close();
    }
  });
});
