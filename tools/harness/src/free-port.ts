import { createServer } from 'node:net';

/**
 * Asks the kernel for a currently free TCP port on 127.0.0.1 (bind to port 0,
 * read the port, close).
 *
 * The port is only free at the moment of the call; another process may take it
 * before you bind it. {@link startMemcached} retries with a new port when that
 * happens.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    // Never let this short-lived listener keep the process alive.
    server.unref();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close((closeError) => {
        if (closeError) reject(closeError);
        else if (port === undefined) reject(new Error('freePort: could not read the bound port'));
        else resolve(port);
      });
    });
  });
}
