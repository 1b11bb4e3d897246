import { FaultProxy, type MemcachedServer, closeAllProxies, startMemcached } from '../src';
import { TestSocket, destroyAllTestSockets } from './helpers/test-socket';

let server: MemcachedServer;

beforeAll(async () => {
  server = await startMemcached();
});
afterAll(() => server.kill());
afterEach(async () => {
  destroyAllTestSockets();
  await closeAllProxies();
});

/**
 * Fastest of `count` sequential `version` round trips on one connection, in ms.
 * The fastest, not the median: a delay is a floor under every round trip, and
 * the minimum is what a loaded machine (other processes' CPU) inflates least.
 */
async function fastestRoundTripMs(address: string, count: number): Promise<number> {
  const client = await TestSocket.connect(address);
  const times: number[] = [];
  for (let i = 1; i <= count; i++) {
    const started = performance.now();
    client.write('version\r\n');
    await client.waitForText(new RegExp(`(VERSION [^\\r]*\\r\\n){${i}}$`));
    times.push(performance.now() - started);
  }
  client.destroy();
  return Math.min(...times);
}

test('setDelay takes fractions of a millisecond and keeps them (not rounded up to a 1 ms timer)', async () => {
  const direct = await fastestRoundTripMs(server.address, 40);
  const proxy = await FaultProxy.start(server.address);
  const passing = await fastestRoundTripMs(proxy.address, 40);
  proxy.setDelay(0.25);
  const delayed = await fastestRoundTripMs(proxy.address, 40);
  // 0.25 ms each way: at least 0.5 ms more than without the delay...
  expect(delayed - passing).toBeGreaterThanOrEqual(0.48);
  // ...and well under the 2 ms two whole-millisecond timers would take.
  expect(delayed).toBeLessThan(1.9);
  expect(direct).toBeLessThan(delayed);
});

test('delayed chunks keep their order', async () => {
  const proxy = await FaultProxy.start(server.address);
  proxy.setDelay(0.3);
  const client = await TestSocket.connect(proxy.address);
  const keys = Array.from({ length: 30 }, (_, index) => `order-${index}`);
  for (const [index, key] of keys.entries()) client.write(`set ${key} 0 0 ${String(index).length}\r\n${index}\r\n`);
  for (const key of keys) client.write(`get ${key}\r\n`);
  const text = await client.waitForText(/VALUE order-29 0 2\r\n29\r\nEND\r\n$/); // the last reply
  const values = [...text.matchAll(/VALUE order-(\d+) 0 \d+\r\n(\d+)\r\n/g)].map((match) => [Number(match[1]), Number(match[2])]);
  expect(values).toEqual(keys.map((_, index) => [index, index]));
});
