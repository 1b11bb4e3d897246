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

async function storeDirect(key: string, value: string): Promise<string> {
  expect(await rawTextRequest(server.address, `set ${key} 0 0 ${value.length}\r\n${value}\r\n`)).toBe('STORED\r\n');
  return rawTextRequest(server.address, `get ${key}\r\n`, { until: /END\r\n$/ });
}

test("'cut': the server applies the request, the client sees the connection close before any reply byte", async () => {
  const client = await TestSocket.connect(proxy.address);
  proxy.injectReplyFault({ kind: 'cut' });
  client.write('set cut-before 0 0 1\r\nx\r\n');
  await client.waitForClose();
  expect(client.text).toBe('');
  expect(proxy.replyFaultCounts).toEqual({ cut: 1, tear: 0, stall: 0 });
  expect(await rawTextRequest(server.address, 'get cut-before\r\n', { until: /END\r\n$/ })).toBe('VALUE cut-before 0 1\r\nx\r\nEND\r\n');
  // One-shot: the next connection works.
  expect(await rawTextRequest(proxy.address, 'version\r\n')).toMatch(/^VERSION /);
});

test("'cut' after N bytes delivers exactly N bytes of the stream, even inside a reply", async () => {
  const full = await storeDirect('cut-after', 'v'.repeat(50));
  const client = await TestSocket.connect(proxy.address);
  client.write('version\r\n');
  const version = await client.waitForText(/\r\n$/);
  proxy.injectReplyFault({ kind: 'cut', afterBytes: 17 });
  client.write('get cut-after\r\n');
  await client.waitForClose();
  expect(client.text).toBe(version + full.slice(0, 17));
  expect(proxy.bytesToClient).toBe(version.length + 17);
});

test("afterReplies: the reply to the client's third request from now is cut", async () => {
  const client = await TestSocket.connect(proxy.address);
  proxy.injectReplyFault({ kind: 'cut', afterReplies: 2 });
  for (let index = 1; index <= 2; index++) {
    client.write('version\r\n');
    await client.waitForText(new RegExp(`(VERSION \\S+\\r\\n){${index}}$`));
  }
  const before = client.text;
  client.write('version\r\n');
  await client.waitForClose();
  expect(client.text).toBe(before);
  expect(proxy.replyFaultCounts.cut).toBe(1);
});

test("'tear' delivers keepBytes of the next reply (default half), then closes", async () => {
  const full = await storeDirect('torn', 'w'.repeat(80));
  const client = await TestSocket.connect(proxy.address);
  proxy.injectReplyFault({ kind: 'tear', keepBytes: 30 });
  client.write('get torn\r\n');
  await client.waitForClose();
  expect(client.text).toBe(full.slice(0, 30));
  expect(proxy.replyFaultCounts.tear).toBe(1);
});

test("'stall' holds the reply (and what follows it) for stallMs, then forwards it in order", async () => {
  const client = await TestSocket.connect(proxy.address);
  proxy.injectReplyFault({ kind: 'stall', stallMs: 300 });
  const started = performance.now();
  client.write('version\r\n');
  await delay(100);
  client.write('get nothing-here\r\n');
  await delay(100);
  expect(client.text).toBe('');
  const text = await client.waitForText(/END\r\n$/);
  expect(performance.now() - started).toBeGreaterThanOrEqual(290);
  expect(text).toMatch(/^VERSION \S+\r\nEND\r\n$/);
  expect(client.isClosed).toBe(false);
  expect(proxy.replyFaultCounts.stall).toBe(1);
});

test('faults armed together fire in order of their positions', async () => {
  const client = await TestSocket.connect(proxy.address);
  proxy.injectReplyFault({ kind: 'stall', stallMs: 50 });
  proxy.injectReplyFault({ kind: 'cut', afterBytes: 3 });
  client.write('version\r\n');
  await client.waitForClose();
  expect(client.text).toBe('VER');
  expect(proxy.replyFaultCounts).toEqual({ cut: 1, tear: 0, stall: 1 });
});

test('random faults: probability 1 hits every reply, with the kinds given; null stops them', async () => {
  proxy.setRandomReplyFaults({ seed: 7, probability: 1, kinds: ['cut'] });
  const client = await TestSocket.connect(proxy.address);
  client.write('version\r\n');
  await client.waitForClose();
  expect(client.text).toBe('');
  expect(proxy.replyFaultCounts.cut).toBe(1);
  proxy.setRandomReplyFaults(null);
  expect(await rawTextRequest(proxy.address, 'version\r\n')).toMatch(/^VERSION /);
});

test('clearReplyFaults disarms faults still waiting for their bytes and stops the random ones', async () => {
  proxy.injectReplyFault({ kind: 'cut', afterBytes: 10_000 }); // far beyond what the test sends
  proxy.injectReplyFault({ kind: 'cut', afterReplies: 1 });
  proxy.setRandomReplyFaults({ seed: 7, probability: 1, kinds: ['cut'] });
  expect(proxy.clearReplyFaults()).toBe(2);
  const client = await TestSocket.connect(proxy.address);
  for (let i = 1; i <= 3; i++) {
    client.write('version\r\n');
    await client.waitForText(new RegExp(`(VERSION [^\\r]*\\r\\n){${i}}$`));
  }
  expect(proxy.replyFaultCounts).toEqual({ cut: 0, tear: 0, stall: 0 });
  expect(proxy.clearReplyFaults()).toBe(0);
});

test('random stalls with a probability below 1 hit some replies and not others', async () => {
  proxy.setRandomReplyFaults({ seed: 3, probability: 0.5, kinds: ['stall'], stallMs: 20 });
  const client = await TestSocket.connect(proxy.address);
  for (let index = 0; index < 20; index++) {
    client.write('version\r\n');
    await client.waitForText(new RegExp(`(VERSION \\S+\\r\\n){${index + 1}}$`));
  }
  const { stall } = proxy.replyFaultCounts;
  expect(stall).toBeGreaterThan(0);
  expect(stall).toBeLessThan(20);
});

test('bad fault settings are refused with a RangeError', () => {
  expect(() => proxy.injectReplyFault({ kind: 'explode' as 'cut' })).toThrow(RangeError);
  expect(() => proxy.injectReplyFault({ kind: 'cut', afterBytes: -1 })).toThrow(/afterBytes/);
  expect(() => proxy.injectReplyFault({ kind: 'stall', stallMs: 1.5 })).toThrow(/stallMs/);
  expect(() => proxy.setRandomReplyFaults({ seed: 1, probability: 2 })).toThrow(/probability/);
  expect(() => proxy.setRandomReplyFaults({ seed: 0.5, probability: 0.1 })).toThrow(/seed/);
  expect(() => proxy.setRandomReplyFaults({ seed: 1, probability: 0.1, kinds: [] })).toThrow(/kinds/);
});
