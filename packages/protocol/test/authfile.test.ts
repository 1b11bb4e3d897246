/**
 * Authfile authentication (`auth` option, meta protocol) against
 * `memcached -Y` with a private authfile. It exists on the text protocol
 * only, so these tests choose `protocol: 'meta'` explicitly and run so in
 * both test runs; what a binary client meets at a `-Y` server is checked too.
 */
import { startMemcached, type MemcachedServer } from '@mcc/harness';
import { AuthenticationError, Client, InvalidArgumentError, TimeoutError, type ClientOptions } from '../src';
import { rejectionOf, sleep, uniqueKey, waitFor } from './helpers';

const user = { username: 'alice', password: 'correct-horse' };

describe('authfile authentication (memcached -Y)', () => {
  let server: MemcachedServer;
  let open: MemcachedServer;
  const clients: Client[] = [];
  const client = (options: ClientOptions, address = server.address): Client => {
    const created = new Client([address], { protocol: 'meta', connectTimeoutMs: 2000, requestTimeoutMs: 2000, ...options });
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    [server, open] = await Promise.all([startMemcached({ authFile: user }), startMemcached()]);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await Promise.all([server?.kill(), open?.kill()]);
  });

  test('good credentials: requests queued during authentication are all served, and nothing of the credentials is stored', async () => {
    const authenticated = client({ auth: user });
    const keys = Array.from({ length: 20 }, (_, i) => uniqueKey(`auth${i}`));
    // All issued before the connection exists: they wait for the handshake (probe, credentials, stats).
    const written = await Promise.all(keys.map((key, i) => authenticated.set(key, `v${i}`)));
    expect(written.every((cas) => typeof cas === 'bigint' && cas > 0n)).toBe(true);
    const found = await authenticated.getMulti(keys);
    expect(keys.map((key) => found.get(key)?.value.toString())).toEqual(keys.map((_, i) => `v${i}`));
    expect(await authenticated.get('mcc:auth')).toBeNull(); // the authenticating set's key is ignored by -Y
  });

  test('a server without -Y: the credentials are never sent (a set there would store them for anyone to read)', async () => {
    const authenticated = client({ auth: user }, open.address);
    const key = uniqueKey('open');
    await authenticated.set(key, 'v');
    expect((await authenticated.get(key))!.value.toString()).toBe('v');
    expect(await authenticated.get('mcc:auth')).toBeNull();
    const anyone = client({}, open.address);
    expect(await anyone.get('mcc:auth')).toBeNull();
  });

  test('without credentials → AuthenticationError advising the auth option', async () => {
    const anonymous = client({});
    const error = await rejectionOf(anonymous.get(uniqueKey('anon')));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toMatch(/requires authentication \(memcached -Y authfile\): set the auth option/);
  });

  test('bad credentials → AuthenticationError (MCC_ERR_AUTH), and no retry storm', async () => {
    let attempts = 0;
    const refused = client({ auth: { username: 'alice', password: 'wrong' }, reconnectStrategy: () => {
      attempts++;
      return 300;
    } });
    const errors = await Promise.all(Array.from({ length: 5 }, () => rejectionOf(refused.get(uniqueKey('bad')))));
    for (const error of errors) {
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).code).toBe('MCC_ERR_AUTH');
      expect(error.message).toMatch(/refused the authfile credentials of user "alice"/);
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
    const authenticated = client({ auth: user, reconnectStrategy: () => 20 });
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

  test('a binary client at a -Y server (which waits for a newline and never answers): a connect timeout that says to use meta', async () => {
    const binary = new Client([server.address], { protocol: 'binary', connectTimeoutMs: 300, reconnectStrategy: () => 1000 });
    clients.push(binary);
    const error = await rejectionOf(binary.get(uniqueKey('binary')));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/answered nothing \(a memcached -Y server waits for text-protocol requests: use protocol 'meta' with the auth option\)/);
  });

  test('refused at construction: auth on binary, credentials memcached cannot check', () => {
    expect(() => new Client([server.address], { protocol: 'binary', auth: user })).toThrow(/option auth needs protocol 'meta'/);
    for (const auth of [{ username: '', password: 'x' }, { username: 'a b', password: 'x' }, { username: 'a:b', password: 'x' }, { username: 'a', password: 'two words' }, { username: 'a', password: '' }, { username: 'a', password: 'x\r\n' }]) {
      expect(() => new Client([server.address], { protocol: 'meta', auth })).toThrow(InvalidArgumentError);
    }
    expect(() => new Client([server.address], { protocol: 'meta', sasl: user })).toThrow(/the auth option/);
  });
});
