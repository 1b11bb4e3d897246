import { createServer, type Server, type Socket } from 'node:net';
import { freePort } from '../src/free-port';
import { startMemcached, killAllMemcached } from '../src';

// Make freePort() controllable to reproduce the race between picking a port
// and memcached binding it.
jest.mock('../src/free-port', () => {
  const actual = jest.requireActual<typeof import('../src/free-port')>('../src/free-port');
  return { freePort: jest.fn(actual.freePort) };
});
const mockedFreePort = freePort as jest.MockedFunction<typeof freePort>;

let impostor: Server | undefined;
const impostorSockets = new Set<Socket>();

afterEach(async () => {
  await killAllMemcached();
  for (const socket of impostorSockets) socket.destroy();
  await new Promise((resolve) => (impostor ? impostor.close(resolve) : resolve(undefined)));
  impostor = undefined;
});

test('retries on a new port when the chosen one is taken, even by something that looks like memcached', async () => {
  // Someone else owns the port and answers the readiness probe like a
  // memcached would, but with a different pid: a bare `version` probe would
  // wrongly accept it.
  impostor = createServer((socket) => {
    impostorSockets.add(socket);
    socket.on('data', () => socket.write('VERSION 0.0.0\r\nSTAT pid 1\r\nEND\r\n'));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => impostor!.listen(0, '127.0.0.1', resolve));
  const takenPort = (impostor.address() as { port: number }).port;
  mockedFreePort.mockClear();
  mockedFreePort.mockResolvedValueOnce(takenPort);

  const server = await startMemcached();
  expect(server.port).not.toBe(takenPort);
  expect(server.running).toBe(true);
  expect(mockedFreePort.mock.calls.length).toBeGreaterThanOrEqual(2);
});
