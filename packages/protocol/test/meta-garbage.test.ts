/**
 * The meta parser never trusts what a server sends: a fake meta server
 * answers the handshake properly, then garbage; every request in flight
 * rejects with ProtocolError naming its key, no huge allocation happens, and
 * the client reconnects. Meta-only by nature (the binary twin is in
 * errors.test.ts), so it runs with `protocol: 'meta'` in both test runs.
 */
import * as net from 'node:net';
import { Client, McError, ProtocolError } from '../src';
import { rejectionOf, uniqueKey } from './helpers';

describe('ProtocolError from a server that answers meta garbage', () => {
  let fake: net.Server;
  let address: string;
  /** What the fake answers to an `mg` line (its opaque is given). */
  let answer: (opaque: string) => string;

  beforeAll(async () => {
    fake = net.createServer((socket) => {
      let buffered = '';
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('latin1');
        for (let newline = buffered.indexOf('\r\n'); newline >= 0; newline = buffered.indexOf('\r\n')) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 2);
          if (line === 'stats settings') socket.write('STAT cas_enabled yes\r\nSTAT item_size_max 1048576\r\nSTAT evictions on\r\nSTAT maxbytes 67108864\r\nEND\r\n');
          else if (line === 'stats') socket.write('STAT pid 4242\r\nSTAT time 1000\r\nSTAT uptime 10\r\nSTAT version fake\r\nEND\r\n');
          else if (line === 'mn') socket.write('MN\r\n');
          else if (line.startsWith('mg ')) socket.write(answer(line.slice(line.lastIndexOf(' O') + 2)));
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(fake.address() as net.AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  });

  const garbage: Array<[string, (opaque: string) => string]> = [
    ['an opaque nobody sent', (opaque) => `EN O${Number(opaque) + 1000}\r\n`],
    ['an unknown reply code', () => 'ZZ top\r\n'],
    ['a line not ending in \\r\\n', () => 'EN\n'],
    ['a line longer than any reply', () => `EN ${'x'.repeat(10_000)}`],
    ['a data block announced larger than the item limit (1 GiB)', (opaque) => `VA 1073741824 c1 f0 O${opaque}\r\n`],
    ['a data length that is no number', (opaque) => `VA -5 c1 f0 O${opaque}\r\nabc\r\n`],
    ['a data block not followed by \\r\\n', (opaque) => `VA 3 c1 f0 O${opaque}\r\nabcXY`],
    ['a hit without its CAS', (opaque) => `VA 3 f0 O${opaque}\r\nabc\r\n`],
  ];
  test.each(garbage)('%s → ProtocolError for every request in flight, each naming its key; the client reconnects', async (_name, reply) => {
    const sane = (opaque: string): string => `VA 2 c7 f3 O${opaque}\r\nok\r\n`;
    answer = sane;
    const client = new Client(address, { requestTimeoutMs: 2000, protocol: 'meta' });
    try {
      expect((await client.serverInfo()).epoch).toBe('4242:990');
      expect(await client.get('warm')).toMatchObject({ flags: 3, cas: 7n });
      answer = reply;
      const keys = [uniqueKey('m1'), uniqueKey('m2'), uniqueKey('m3')];
      const errors = await Promise.all(keys.map((key) => rejectionOf(client.get(key))));
      errors.forEach((error, i) => {
        expect(error).toBeInstanceOf(ProtocolError);
        expect({ key: (error as McError).key, server: (error as McError).server }).toEqual({ key: keys[i], server: address });
      });
      answer = sane;
      expect((await client.get('again'))!.value.toString()).toBe('ok');
    } finally {
      await client.close();
    }
  });
});
