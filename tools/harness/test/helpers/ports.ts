import { createServer } from 'node:net';

/** A free port obtained without the harness's freePort (which some tests mock). */
export function freePortOutsideHarness(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
