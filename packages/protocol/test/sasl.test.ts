/**
 * SASL PLAIN (`sasl` option) against `memcached -S` with a private sasldb.
 * memcached's SASL exists on the binary protocol only, so these tests choose
 * `protocol: 'binary'` explicitly and run so in both test runs; that meta
 * refuses `sasl` is checked here too.
 */
import { startMemcached, type MemcachedServer } from '@mcc/harness';
import { AuthenticationError, Client, InvalidArgumentError, type ClientOptions } from '../src';
import { rejectionOf, sleep, uniqueKey, waitFor } from './helpers';

const user = { username: 'alice', password: 'correct horse' };

describe('SASL PLAIN', () => {
  let server: MemcachedServer;
  const clients: Client[] = [];
  const client = (options: ClientOptions): Client => {
    const created = new Client([server.address], { protocol: 'binary', connectTimeoutMs: 2000, requestTimeoutMs: 2000, ...options });
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    server = await startMemcached({ sasl: user });
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await server?.kill();
  });

  test('good credentials: requests queued during authentication are all served', async () => {
    const authenticated = client({ sasl: user });
    const keys = Array.from({ length: 20 }, (_, i) => uniqueKey(`sasl${i}`));
    // All issued before the connection exists: they wait for the handshake (SASL, then stats).
    const written = await Promise.all(keys.map((key, i) => authenticated.set(key, `v${i}`)));
    expect(written.every((cas) => typeof cas === 'bigint' && cas > 0n)).toBe(true);
    const found = await authenticated.getMulti(keys);
    expect(keys.map((key) => found.get(key)?.value.toString())).toEqual(keys.map((_, i) => `v${i}`));
  });

  test('without credentials → AuthenticationError advising the sasl option', async () => {
    const anonymous = client({});
    const error = await rejectionOf(anonymous.get(uniqueKey('anon')));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toMatch(/requires SASL authentication \(memcached -S\): set the sasl option/);
  });

  test('bad credentials → AuthenticationError (MCC_ERR_AUTH), and no retry storm', async () => {
    let attempts = 0;
    const refused = client({ sasl: { username: 'alice', password: 'wrong' }, reconnectStrategy: () => {
      attempts++;
      return 300;
    } });
    const errors = await Promise.all(Array.from({ length: 5 }, () => rejectionOf(refused.get(uniqueKey('bad')))));
    for (const error of errors) {
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).code).toBe('MCC_ERR_AUTH');
      expect(error.message).toMatch(/refused the SASL PLAIN credentials of user "alice"/);
    }
    // During the back-off, requests fail fast with the same error, without connecting again.
    const sent = refused.metrics.requests;
    for (let i = 0; i < 50; i++) expect(await rejectionOf(refused.get(uniqueKey('fast')))).toBeInstanceOf(AuthenticationError);
    expect(refused.metrics.requests).toBe(sent);
    expect(attempts).toBe(1);
    await sleep(350);
    expect(await rejectionOf(refused.get(uniqueKey('later')))).toBeInstanceOf(AuthenticationError);
    expect(attempts).toBe(2);
  });

  test('re-authenticates after the server restarts', async () => {
    const authenticated = client({ sasl: user, reconnectStrategy: () => 20 });
    const key = uniqueKey('restart');
    await authenticated.set(key, 'before');
    const epoch = (await authenticated.serverInfo()).epoch;
    await server.restart();
    await waitFor(async () => authenticated.noop().then(() => true, () => false), 'the client to reconnect and authenticate');
    expect(await authenticated.get(key)).toBeNull(); // a fresh server
    await authenticated.set(key, 'after');
    expect((await authenticated.get(key))!.value.toString()).toBe('after');
    expect((await authenticated.serverInfo()).epoch).not.toBe(epoch);
  });

  test("sasl with protocol 'meta' is refused at construction", () => {
    expect(() => new Client([server.address], { protocol: 'meta', sasl: user })).toThrow(InvalidArgumentError);
    expect(() => new Client([server.address], { protocol: 'meta', sasl: user })).toThrow(/binary protocol only/);
    expect(() => new Client([server.address], { protocol: 'binary', sasl: { username: '', password: 'x' } })).toThrow(InvalidArgumentError);
  });
});
