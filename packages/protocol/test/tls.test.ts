/**
 * TLS (`tls` option) against memcached started with -Z and the harness's
 * throw-away CA, on the protocol of the test run (binary, or meta under
 * MCC_PROTOCOL=meta): a verified handshake, the failures that must say TLS
 * failed and why, mutual TLS, and reconnection after a restart.
 */
import { startMemcached, testCertificates, type MemcachedServer } from '@mcc/harness';
import { Client, ConnectionError, type ClientOptions } from '../src';
import { rejectionOf, uniqueKey, waitFor } from './helpers';

const quick: ClientOptions = { connectTimeoutMs: 2000, requestTimeoutMs: 2000, reconnectStrategy: () => 20 };

describe('TLS', () => {
  let server: MemcachedServer;
  let mutual: MemcachedServer;
  let plain: MemcachedServer;
  const clients: Client[] = [];
  const client = (address: string, options: ClientOptions): Client => {
    const created = new Client([address], { ...quick, ...options });
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    [server, mutual, plain] = await Promise.all([startMemcached({ tls: true }), startMemcached({ tls: 'mutual' }), startMemcached()]);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await Promise.all([server, mutual, plain].map((s) => s?.kill()));
  });

  test('a verified handshake: every command works over TLS', async () => {
    const tls = client(server.address, { tls: { ca: testCertificates().ca } });
    const key = uniqueKey('tls');
    const cas = await tls.set(key, 'secret', { flags: 9 });
    const item = await tls.get(key);
    expect(item).toMatchObject({ flags: 9, cas });
    expect(item!.value.toString()).toBe('secret');
    const big = Buffer.alloc(300_000, 0x61);
    await tls.set(key, big);
    expect((await tls.get(key))!.value.equals(big)).toBe(true);
    expect((await tls.getMulti([key, uniqueKey('missing')])).size).toBe(1);
    expect(await tls.incr(uniqueKey('n'), 1, { initial: 41 })).toBe(41n);
    expect((await tls.serverInfo()).itemSizeMax).toBe(1024 * 1024);
  });

  test('a pipelined burst completes: memcached 1.6.18 leaves its TLS tail unread until more bytes come, the client nudges it', async () => {
    const tls = client(server.address, { tls: { ca: testCertificates().ca } });
    await tls.noop();
    for (let round = 0; round < 3; round++) {
      const before = tls.metrics.requests;
      const started = performance.now();
      const written = await Promise.all(Array.from({ length: 256 }, (_, i) => tls.set(uniqueKey(`burst${i}`), Buffer.alloc(100, 0x62))));
      expect(written.every((cas) => typeof cas === 'bigint')).toBe(true);
      expect(performance.now() - started).toBeLessThan(1000); // without the nudge: never (until the request timeout)
      expect(tls.metrics.requests - before).toBeLessThanOrEqual(256 + 2); // at most a NOOP or two on top
    }
  });

  test('a CA that did not sign the certificate → ConnectionError saying TLS failed, not trusted', async () => {
    const error = await rejectionOf(client(server.address, { tls: { ca: testCertificates().otherCa } }).get(uniqueKey('ca')));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(/TLS handshake failed: the server's certificate is not trusted/);
  });

  test('a certificate for another host name → ConnectionError saying TLS failed, wrong name', async () => {
    const error = await rejectionOf(client(server.address, { tls: { ca: testCertificates().ca, servername: 'memcached.example.com' } }).get(uniqueKey('name')));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(/TLS handshake failed: the server's certificate does not name this host/);
  });

  test('plain TCP to a TLS port → ConnectionError advising the tls option', async () => {
    const error = await rejectionOf(client(server.address, {}).get(uniqueKey('plain')));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(/requires TLS \(memcached -Z\), set the `tls` option/);
  });

  test('TLS to a plain port → ConnectionError saying the server speaks no TLS', async () => {
    const error = await rejectionOf(client(plain.address, { tls: { ca: testCertificates().ca } }).get(uniqueKey('no-tls')));
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(/TLS handshake failed/);
  });

  test('mutual TLS: refused without a client certificate, served with one', async () => {
    const { ca, clientCert, clientKey } = testCertificates();
    const without = await rejectionOf(client(mutual.address, { tls: { ca } }).get(uniqueKey('anonymous')));
    expect(without).toBeInstanceOf(ConnectionError);
    expect(without.message).toMatch(/TLS handshake failed: the server refused this client.s certificate or requires one/);
    const withCertificate = client(mutual.address, { tls: { ca, cert: clientCert, key: clientKey } });
    const key = uniqueKey('mutual');
    expect(await withCertificate.set(key, 'v')).not.toBeNull();
    expect((await withCertificate.get(key))!.value.toString()).toBe('v');
  });

  test('reconnects over TLS after a server restart (new epoch)', async () => {
    const tls = client(server.address, { tls: { ca: testCertificates().ca } });
    const before = (await tls.serverInfo()).epoch;
    await server.restart();
    await waitFor(async () => (await tls.noop().then(() => true, () => false)), 'the client to reconnect over TLS');
    const key = uniqueKey('after');
    await tls.set(key, 'again');
    expect((await tls.get(key))!.value.toString()).toBe('again');
    expect((await tls.serverInfo()).epoch).not.toBe(before);
  });
});
