/**
 * SASL PLAIN (`sasl` option) against `memcached -S` with a private sasldb.
 * memcached's SASL exists on the binary protocol only, so these tests choose
 * `protocol: 'binary'` explicitly and run so in both test runs; that meta
 * refuses `sasl` is checked here too.
 */
import { startMemcached, type MemcachedServer } from '@mcc/harness';
import { AuthenticationError, Client, InvalidArgumentError, type ClientOptions } from '../src';
import { authenticationContract } from './authentication-contract';
import { rejectionOf, uniqueKey } from './helpers';

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

  authenticationContract({
    client,
    server: () => server,
    credentials: (username, password) => ({ sasl: { username, password } }),
    user,
    refused: /refused the SASL PLAIN credentials of user "alice"/,
  });

  test('without credentials → AuthenticationError advising the sasl option', async () => {
    const anonymous = client({});
    const error = await rejectionOf(anonymous.get(uniqueKey('anon')));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toMatch(/requires SASL authentication \(memcached -S\): set the sasl option/);
  });

  test("sasl with protocol 'meta' is refused at construction", () => {
    expect(() => new Client([server.address], { protocol: 'meta', sasl: user })).toThrow(InvalidArgumentError);
    expect(() => new Client([server.address], { protocol: 'meta', sasl: user })).toThrow(/binary protocol only/);
    expect(() => new Client([server.address], { protocol: 'binary', sasl: { username: '', password: 'x' } })).toThrow(InvalidArgumentError);
  });
});
