/**
 * TCP's simultaneous open lets a socket connect to itself: connecting to a
 * port on this host where nothing listens, when the kernel happens to pick
 * that same port as the local one (any port in the ephemeral range, which is
 * where test servers and many deployments' memcached listen). The socket then
 * reads back its own requests as replies. The kernel's pick cannot be forced
 * through the client, so the test pins the local port the way the kernel
 * would have picked it (a spy on `net.createConnection`: the only thing here
 * a real server cannot show); everything else is real.
 */
import type * as Net from 'node:net';
import type * as Tls from 'node:tls';
import { freePort } from '@mcc/harness';
import { Client, ConnectionError } from '../src';
import { rejectionOf } from './helpers';

// The module object itself (a namespace import is a copy whose properties cannot be spied on).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const net = require('node:net') as typeof Net;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tls = require('node:tls') as typeof Tls;

afterEach(() => jest.restoreAllMocks());

/** Makes every connection bind the local port it connects to, as an unlucky kernel pick would. */
function pinLocalPortToRemote(secure: boolean): jest.SpyInstance {
  if (secure) {
    const original = tls.connect.bind(tls) as (options: Tls.ConnectionOptions) => Tls.TLSSocket;
    return jest.spyOn(tls, 'connect').mockImplementation(((options: Tls.ConnectionOptions) =>
      original({ ...options, localAddress: options.host, localPort: options.port } as Tls.ConnectionOptions)) as typeof tls.connect);
  }
  const original = net.createConnection.bind(net) as (options: Net.NetConnectOpts) => Net.Socket;
  return jest.spyOn(net, 'createConnection').mockImplementation(((options: Net.TcpNetConnectOpts) =>
    original({ ...options, localAddress: options.host, localPort: options.port })) as typeof net.createConnection);
}

describe.each([
  ['binary', false],
  ['meta', false],
  ['binary', true],
  ['meta', true],
] as const)('a socket that connected to itself (%s, tls %s)', (protocol, secure) => {
  test('is a refused connection (ConnectionError naming the cause), not a server that echoes requests', async () => {
    const port = await freePort(); // nothing listens there
    const spy = pinLocalPortToRemote(secure);
    const client = new Client([`127.0.0.1:${port}`], { protocol, tls: secure, connectTimeoutMs: 2000, requestTimeoutMs: 2000, onBackgroundError: () => {} });
    try {
      const error = await rejectionOf(client.get('self-connect'));
      expect(spy).toHaveBeenCalled();
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as Error).message).toMatch(/connected to itself/);
      expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    } finally {
      await client.close();
    }
  });
});
