/**
 * Large reads against a real memcached: after a large reply the socket reads
 * up to 1 MiB at once (connection/socket-reader.ts), so many replies, large
 * and small, share one read. Every value must come back byte for byte, in
 * order, whatever mix of sizes is pipelined, whether memcached's replies
 * arrive whole or split into odd pieces (fault proxy), and a reply torn in
 * the middle of a large read fails its request and no other's. A small value
 * never keeps more than 64 KiB alive, a large one at most 1 MiB. Runs on
 * either wire (MCC_PROTOCOL).
 */
import { FaultProxy, useMemcached } from '@mcc/harness';
import { Client, ConnectionClosedError, ProtocolError, type McError } from '../src';
import { uniqueKey } from './helpers';

/** Sizes around every threshold of the read path: small, the 16 KiB large-reply bound, 64 KiB, 100 KiB, 1 MiB reads. */
const SIZES = [100 * 1024, 10, 100 * 1024, 3000, 16 * 1024 - 1, 16 * 1024, 64 * 1024 + 5, 0, 300 * 1024, 100 * 1024, 7, 900 * 1024, 1];

/** More than a get reply's header on either wire (binary: 24 bytes and 4 of flags; meta: the `VA` line and "\r\n"). */
const REPLY_HEADER = 64;

function valueOf(index: number): Buffer {
  const size = SIZES[index % SIZES.length]!;
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + index * 13) & 0xff;
  return bytes;
}

describe('large reads', () => {
  const mc = useMemcached(1, { memoryMb: 128 });
  const clients: Client[] = [];
  const proxies: FaultProxy[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  });

  async function fill(count: number): Promise<string[]> {
    const writer = new Client(mc.addresses);
    clients.push(writer);
    const base = uniqueKey('large-reads');
    const keys = Array.from({ length: count }, (_, i) => `${base}:${i}`);
    await Promise.all(keys.map((key, i) => writer.set(key, valueOf(i))));
    return keys;
  }

  function expectIntact(values: readonly (Buffer | undefined)[]): void {
    values.forEach((value, i) => {
      expect(value?.equals(valueOf(i))).toBe(true);
      // A small reply (under 16 KiB with its header) is a copy or a view of a 64 KiB buffer; a large one shares at most a 1 MiB read.
      expect(value!.buffer.byteLength).toBeLessThanOrEqual(value!.length < 16 * 1024 - REPLY_HEADER ? 64 * 1024 : 1024 * 1024 + 1024);
    });
  }

  test('130 gets of mixed sizes at once, three rounds: every value intact and in order, small ones not kept in large buffers', async () => {
    const keys = await fill(130);
    const client = new Client(mc.addresses);
    clients.push(client);
    for (let round = 0; round < 3; round++) {
      const items = await Promise.all(keys.map((key) => client.get(key)));
      expectIntact(items.map((item) => item?.value));
    }
    const many = await client.getMulti(keys);
    expectIntact(keys.map((key) => many.get(key)?.value));
    expect(client.metrics.errors).toBe(0);
  });

  test.each([1000, 4097, 70_000])('replies split into %i-byte pieces by a proxy: every value intact', async (size) => {
    const keys = await fill(60);
    const proxy = await FaultProxy.start(mc.addresses[0]!);
    proxies.push(proxy);
    proxy.setResponseChunkSize(size);
    const client = new Client([proxy.address], { requestTimeoutMs: 20_000 });
    clients.push(client);
    const items = await Promise.all(keys.map((key) => client.get(key)));
    expectIntact(items.map((item) => item?.value));
  });

  test('a reply torn inside a large read fails the requests from it on, not those before; the client recovers', async () => {
    const keys = await fill(40);
    const proxy = await FaultProxy.start(mc.addresses[0]!);
    proxies.push(proxy);
    const client = new Client([proxy.address], { reconnectStrategy: () => 20 });
    clients.push(client);
    await client.get(keys[0]!); // connected, and a large reply read: the next reads are large
    proxy.injectReplyFault({ kind: 'cut', afterBytes: 1_500_000 }); // inside the ~16th reply
    const results = await Promise.allSettled(keys.map((key) => client.get(key)));
    const resolved = results.findIndex((result) => result.status === 'rejected');
    expect(resolved).toBeGreaterThan(0);
    results.forEach((result, i) => {
      if (i < resolved) {
        expect((result as PromiseFulfilledResult<{ value: Buffer } | null>).value?.value.equals(valueOf(i))).toBe(true);
      } else {
        expect(result.status).toBe('rejected');
        expect([ConnectionClosedError.code, ProtocolError.code]).toContain(((result as PromiseRejectedResult).reason as McError).code);
      }
    });
    const again = await Promise.all(keys.map((key) => client.get(key)));
    expectIntact(again.map((item) => item?.value));
  });
});
