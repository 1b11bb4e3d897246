/**
 * Authfile authentication (`auth` option, meta protocol) against
 * `memcached -Y` with a private authfile. It exists on the text protocol
 * only, so these tests choose `protocol: 'meta'` explicitly and run so in
 * both test runs; what a binary client meets at a `-Y` server is checked too.
 */
import { startMemcached, type MemcachedServer } from '@mcc/harness';
import { AuthenticationError, Client, InvalidArgumentError, TimeoutError, type ClientOptions } from '../src';
import { authenticationContract } from './authentication-contract';
import { rejectionOf, uniqueKey } from './helpers';

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

  authenticationContract({
    client: (options) => client(options),
    server: () => server,
    credentials: (username, password) => ({ auth: { username, password } }),
    user,
    refused: /refused the authfile credentials of user "alice"/,
  });

  test('nothing of the credentials is stored (the authenticating set is not a set)', async () => {
    const authenticated = client({ auth: user });
    await authenticated.set(uniqueKey('stored'), 'v');
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
