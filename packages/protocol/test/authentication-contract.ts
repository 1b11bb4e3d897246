/**
 * What every way of authenticating promises, whichever mechanism and wire
 * (sasl.test.ts: SASL PLAIN on binary; authfile.test.ts: memcached's -Y
 * authfile on meta): requests queued during the handshake are served, bad
 * credentials fail fast without a retry storm, and a restarted server is
 * authenticated again. Called inside the mechanism's describe block.
 */
import type { MemcachedServer } from '@mcc/harness';
import { AuthenticationError, type Client, type ClientOptions } from '../src';
import { rejectionOf, sleep, uniqueKey, waitFor } from './helpers';

export interface AuthenticationContract {
  /** A client of the block's server (closed by the block), with these options added. */
  readonly client: (options: ClientOptions) => Client;
  /** The block's server (available once its beforeAll ran). */
  readonly server: () => MemcachedServer;
  /** The options that authenticate as `username` with `password`. */
  readonly credentials: (username: string, password: string) => ClientOptions;
  readonly user: { readonly username: string; readonly password: string };
  /** What the refusal of user "alice"'s credentials says. */
  readonly refused: RegExp;
}

export function authenticationContract({ client, server, credentials, user, refused }: AuthenticationContract): void {
  test('good credentials: requests queued during authentication are all served', async () => {
    const authenticated = client(credentials(user.username, user.password));
    const keys = Array.from({ length: 20 }, (_, i) => uniqueKey(`auth${i}`));
    // All issued before the connection exists: they wait for the handshake.
    const written = await Promise.all(keys.map((key, i) => authenticated.set(key, `v${i}`)));
    expect(written.every((cas) => typeof cas === 'bigint' && cas > 0n)).toBe(true);
    const found = await authenticated.getMulti(keys);
    expect(keys.map((key) => found.get(key)?.value.toString())).toEqual(keys.map((_, i) => `v${i}`));
  });

  test('bad credentials → AuthenticationError (MCC_ERR_AUTH), and no retry storm', async () => {
    let attempts = 0;
    const refusedClient = client({
      ...credentials('alice', 'wrong'),
      reconnectStrategy: () => {
        attempts++;
        return 300;
      },
    });
    const errors = await Promise.all(Array.from({ length: 5 }, () => rejectionOf(refusedClient.get(uniqueKey('bad')))));
    for (const error of errors) {
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).code).toBe('MCC_ERR_AUTH');
      expect(error.message).toMatch(refused);
    }
    // During the back-off, requests fail fast with the same error, without connecting again.
    const sent = refusedClient.metrics.requests;
    for (let i = 0; i < 50; i++) expect(await rejectionOf(refusedClient.get(uniqueKey('fast')))).toBeInstanceOf(AuthenticationError);
    expect(refusedClient.metrics.requests).toBe(sent);
    expect(attempts).toBe(1);
    await sleep(350);
    expect(await rejectionOf(refusedClient.get(uniqueKey('later')))).toBeInstanceOf(AuthenticationError);
    expect(attempts).toBe(2);
  });

  test('re-authenticates after the server restarts', async () => {
    const authenticated = client({ ...credentials(user.username, user.password), reconnectStrategy: () => 20 });
    const key = uniqueKey('restart');
    await authenticated.set(key, 'before');
    const epoch = (await authenticated.serverInfo()).epoch;
    await server().restart();
    await waitFor(async () => authenticated.noop().then(() => true, () => false), 'the client to reconnect and authenticate');
    expect(await authenticated.get(key)).toBeNull(); // a fresh server
    await authenticated.set(key, 'after');
    expect((await authenticated.get(key))!.value.toString()).toBe('after');
    expect((await authenticated.serverInfo()).epoch).not.toBe(epoch);
  });
}
