import { FaultProxy, type MemcachedServer, closeAllProxies, rawTextRequest, startMemcached } from '../src';
import { TestSocket, destroyAllTestSockets } from './helpers/test-socket';
import { delay } from './helpers/wait';

let server: MemcachedServer;
let proxy: FaultProxy;

beforeAll(async () => {
  server = await startMemcached();
});
afterAll(() => server.kill());

beforeEach(async () => {
  proxy = await FaultProxy.start(server.address);
});
afterEach(async () => {
  destroyAllTestSockets();
  await closeAllProxies();
});

/** Stores `value` under `key` directly on the server (not through the proxy). */
async function storeDirect(key: string, value: string): Promise<void> {
  expect(await rawTextRequest(server.address, `set ${key} 0 0 ${value.length}\r\n${value}\r\n`)).toBe('STORED\r\n');
}

/** The exact reply bytes to `get key` from the server itself. */
function getDirect(key: string): Promise<string> {
  return rawTextRequest(server.address, `get ${key}\r\n`, { until: /END\r\n$/ });
}

test('start() accepts host:port or {host, port} and listens on loopback', async () => {
  expect(proxy.host).toBe('127.0.0.1');
  expect(proxy.address).toBe(`127.0.0.1:${proxy.port}`);
  const other = await FaultProxy.start({ host: server.host, port: server.port });
  expect(other.port).not.toBe(proxy.port);
  expect(await rawTextRequest(other.address, 'version\r\n')).toMatch(/^VERSION /);
});

test('pass: forwards both ways and counts', async () => {
  const reply = await rawTextRequest(proxy.address, 'version\r\n');
  expect(reply).toMatch(/^VERSION \S+\r\n$/);
  expect(proxy.bytesToServer).toBe('version\r\n'.length);
  expect(proxy.bytesToClient).toBe(reply.length);
  expect(proxy.acceptedCount).toBe(1);
});

test('a client that half-closes after its request still gets the reply', async () => {
  const client = await TestSocket.connect(proxy.address);
  client.socket.end('version\r\n');
  await client.waitForText(/^VERSION .*\r\n$/);
});

test('setDelay delays each direction', async () => {
  proxy.setDelay(100);
  const started = performance.now();
  await rawTextRequest(proxy.address, 'version\r\n');
  const elapsed = performance.now() - started;
  // One chunk each way, each delayed by 100 ms (a few ms of slack for timer rounding).
  expect(elapsed).toBeGreaterThanOrEqual(195);
  proxy.setDelay(0);
  const again = performance.now();
  await rawTextRequest(proxy.address, 'version\r\n');
  expect(performance.now() - again).toBeLessThan(100);
});

test('blackhole holds requests; back to pass releases them', async () => {
  const client = await TestSocket.connect(proxy.address);
  proxy.setMode('blackhole');
  client.write('version\r\n');
  await delay(300);
  expect(client.text).toBe('');
  expect(proxy.bytesToServer).toBe(0);
  expect(proxy.connectionCount).toBe(1);
  proxy.setMode('pass');
  await client.waitForText(/^VERSION .*\r\n$/);
});

test('drop-responses: the server applies the request, the reply is lost', async () => {
  const client = await TestSocket.connect(proxy.address);
  proxy.setMode('drop-responses');
  const request = 'set dropped-key 0 0 1\r\nx\r\n';
  client.write(request);
  await proxy.waitForBytesToServer(request.length);
  await delay(300);
  expect(client.text).toBe('');
  expect(proxy.bytesToClient).toBe(0);
  expect(await getDirect('dropped-key')).toBe('VALUE dropped-key 0 1\r\nx\r\nEND\r\n');
});

test('cutNextResponse delivers half of the next reply, then closes both sides', async () => {
  const value = 'v'.repeat(100);
  await storeDirect('cut-key', value);
  const full = await getDirect('cut-key');
  const client = await TestSocket.connect(proxy.address);
  proxy.cutNextResponse();
  client.write('get cut-key\r\n');
  await client.waitForClose();
  expect(client.text).toBe(full.slice(0, Math.floor(full.length / 2)));
  expect(proxy.bytesToClient).toBe(Math.floor(full.length / 2));
  // Only the next response is cut.
  expect(await rawTextRequest(proxy.address, 'get cut-key\r\n', { until: /END\r\n$/ })).toBe(full);
});

test('setResponseChunkSize splits replies into separate small writes', async () => {
  await storeDirect('split-key', 'w'.repeat(60));
  const full = await getDirect('split-key');
  proxy.setResponseChunkSize(7);
  const client = await TestSocket.connect(proxy.address);
  client.write('get split-key\r\n');
  await client.waitForText(/END\r\n$/);
  expect(client.text).toBe(full);
  expect(client.chunks.length).toBeGreaterThan(1);
  expect(Math.max(...client.chunks.map((chunk) => chunk.length))).toBeLessThanOrEqual(7);
});

test('dropConnections closes current client connections', async () => {
  const a = await TestSocket.connect(proxy.address);
  const b = await TestSocket.connect(proxy.address);
  a.write('version\r\n');
  await a.waitForText(/^VERSION /);
  expect(proxy.connectionCount).toBe(2);
  proxy.dropConnections();
  await Promise.all([a.waitForClose(), b.waitForClose()]);
  await delay(20);
  expect(proxy.connectionCount).toBe(0);
  // New connections still work.
  expect(await rawTextRequest(proxy.address, 'version\r\n')).toMatch(/^VERSION /);
});

test('refuse closes new connections immediately; existing ones keep working', async () => {
  const existing = await TestSocket.connect(proxy.address);
  proxy.setMode('refuse');
  const refused = await TestSocket.connect(proxy.address);
  await refused.waitForClose();
  expect(refused.text).toBe('');
  expect(proxy.acceptedCount).toBe(2);
  existing.write('version\r\n');
  await existing.waitForText(/^VERSION /);
  proxy.setMode('pass');
  expect(await rawTextRequest(proxy.address, 'version\r\n')).toMatch(/^VERSION /);
});

test('a target that is down: connections are accepted, then closed', async () => {
  const deadTarget = await FaultProxy.start(proxy.address);
  await proxy.close();
  const client = await TestSocket.connect(deadTarget.address);
  await client.waitForClose();
});

test('waitForBytesToServer times out with a clear error', async () => {
  await expect(proxy.waitForBytesToServer(1, 50)).rejects.toThrow(/0 of 1 bytes/);
});

test('waitForBytesToServer resolves once the bytes went out, and rejects when the proxy closes', async () => {
  const client = await TestSocket.connect(proxy.address);
  const waiting = proxy.waitForBytesToServer(9);
  client.write('version\r\n');
  await waiting;
  const never = proxy.waitForBytesToServer(1000);
  await proxy.close();
  await expect(never).rejects.toThrow(/closed/);
});

test('close() stops listening and drops connections', async () => {
  const client = await TestSocket.connect(proxy.address);
  await proxy.close();
  await client.waitForClose();
  await expect(TestSocket.connect(proxy.address)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  await proxy.close();
});

test('keeps working under jest fake timers', async () => {
  jest.useFakeTimers();
  try {
    proxy.setDelay(20);
    proxy.setResponseChunkSize(4);
    expect(await rawTextRequest(proxy.address, 'version\r\n')).toMatch(/^VERSION /);
    const other = await startMemcached({ startTimeoutMs: 5000 });
    await other.kill();
  } finally {
    jest.useRealTimers();
  }
});
