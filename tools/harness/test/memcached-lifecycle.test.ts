import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MEMCACHED_BIN_ENV,
  MemcachedStartError,
  killAllMemcached,
  rawTextRequest,
  startCluster,
  startMemcached,
  stopAllMemcached,
} from '../src';
import { freePortOutsideHarness } from './helpers/ports';
import { pidExists } from './helpers/wait';

// kill, not stop: a graceful stop costs up to a second (memcached's clock tick).
afterEach(() => killAllMemcached());

/** Resolves true if something accepts connections on the port. */
function answers(address: string): Promise<boolean> {
  return rawTextRequest(address, 'version\r\n', { timeoutMs: 500 }).then(
    (reply) => reply.startsWith('VERSION '),
    () => false,
  );
}

describe('MemcachedServer lifecycle', () => {
  test('stop() ends the process and is idempotent', async () => {
    const server = await startMemcached();
    const pid = server.pid!;
    expect(server.running).toBe(true);
    expect(pidExists(pid)).toBe(true);
    expect(await answers(server.address)).toBe(true);

    await Promise.all([server.stop(), server.stop()]);
    expect(pidExists(pid)).toBe(false);
    expect(server.running).toBe(false);
    expect(server.pid).toBeUndefined();
    expect(await answers(server.address)).toBe(false);
    await server.stop();
  });

  test('kill() + restart(): same port, new pid, empty memory', async () => {
    const server = await startMemcached();
    const { port } = server;
    const firstPid = server.pid!;
    expect(await rawTextRequest(server.address, 'set k 0 0 5\r\nhello\r\n')).toBe('STORED\r\n');

    await server.kill();
    expect(pidExists(firstPid)).toBe(false);
    expect(server.running).toBe(false);

    await server.restart();
    expect(server.running).toBe(true);
    expect(server.port).toBe(port);
    expect(server.pid).toBeDefined();
    expect(server.pid).not.toBe(firstPid);
    expect(await rawTextRequest(server.address, 'get k\r\n')).toBe('END\r\n');
  });

  test('restart() of a running server stops it first', async () => {
    const server = await startMemcached({ evictions: false });
    const firstPid = server.pid!;
    await server.restart();
    expect(pidExists(firstPid)).toBe(false);
    expect(server.pid).not.toBe(firstPid);
    expect(server.args).toContain('-M');
    expect(await answers(server.address)).toBe(true);
  });

  test('a fixed port is used as given', async () => {
    const port = await freePortOutsideHarness();
    const server = await startMemcached({ port });
    expect(server.port).toBe(port);
    expect(await answers(`127.0.0.1:${port}`)).toBe(true);
  });

  test('a fixed port that is taken fails with MemcachedStartError carrying stderr', async () => {
    // Closes what it accepts, so that close() below does not wait on probe connections.
    const blocker: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const error = await startMemcached({ port }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MemcachedStartError);
      const startError = error as MemcachedStartError;
      expect(startError.code).toBe('MCC_ERR_MEMCACHED_START');
      expect(startError.addressInUse).toBe(true);
      expect(startError.stderr).toMatch(/Address already in use/);
      expect(startError.message).toMatch(/Address already in use/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  test('a bad flag fails with MemcachedStartError', async () => {
    await expect(startMemcached({ extraArgs: ['--no-such-flag'] })).rejects.toMatchObject({
      code: 'MCC_ERR_MEMCACHED_START',
      message: expect.stringMatching(/exited with code/),
    });
  });

  test('a server that never answers times out with MemcachedStartError and is killed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcc-harness-'));
    const pidFile = join(dir, 'pid');
    const fake = join(dir, 'memcached');
    writeFileSync(fake, `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 30\n`, { mode: 0o755 });
    process.env[MEMCACHED_BIN_ENV] = fake;
    try {
      await expect(startMemcached({ startTimeoutMs: 300 })).rejects.toMatchObject({
        code: 'MCC_ERR_MEMCACHED_START',
        message: expect.stringMatching(/did not answer .* within 300 ms/),
      });
      expect(pidExists(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
    } finally {
      delete process.env[MEMCACHED_BIN_ENV];
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('invalid options are rejected up front', async () => {
    await expect(startMemcached({ port: 70000 })).rejects.toThrow(TypeError);
    await expect(startMemcached({ memoryMb: 0 })).rejects.toThrow(TypeError);
  });
});

describe('startCluster', () => {
  test('starts servers on distinct ports that all answer, and stops them all', async () => {
    const cluster = await startCluster(3, { cas: false });
    const ports = cluster.servers.map((server) => server.port);
    expect(new Set(ports).size).toBe(3);
    expect(cluster.addresses).toEqual(ports.map((port) => `127.0.0.1:${port}`));
    expect(await Promise.all(cluster.addresses.map(answers))).toEqual([true, true, true]);
    expect(cluster.servers.every((server) => server.args.includes('-C'))).toBe(true);

    const pids = cluster.servers.map((server) => server.pid!);
    await cluster.stop();
    expect(pids.map(pidExists)).toEqual([false, false, false]);
  });

  test('rejects a bad count or a fixed port for several servers', async () => {
    await expect(startCluster(0)).rejects.toThrow(TypeError);
    await expect(startCluster(2, { port: 12345 })).rejects.toThrow(TypeError);
  });

  test.each([
    ['stopAllMemcached', stopAllMemcached],
    ['killAllMemcached', killAllMemcached],
  ])('%s() ends every server started', async (_name, endAll) => {
    const a = await startMemcached();
    const cluster = await startCluster(2);
    const pids = [a.pid!, ...cluster.servers.map((server) => server.pid!)];
    await endAll();
    expect(pids.map(pidExists)).toEqual([false, false, false]);
    expect([a, ...cluster.servers].some((server) => server.running)).toBe(false);
  });
});
