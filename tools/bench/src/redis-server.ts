/**
 * A throwaway local Redis for the baselines: `redis-server --save ''
 * --appendonly no` on a free loopback port, started under the harness's
 * watchdog (it dies with the bench process) and stopped at the end. When
 * redis-server is missing it is installed with apt-get if we are root;
 * otherwise the caller gets a reason to print and skips its Redis column.
 */
import { freePort, WATCHDOG_SCRIPT } from '@mcc/harness';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';

const REDIS_START_TIMEOUT_MS = 10_000;

export interface RedisServer {
  readonly port: number;
  readonly version: string;
  stop(): Promise<void>;
}

function findRedisServer(): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(':').concat(['/usr/bin', '/usr/local/bin'])) {
    if (dir !== '' && existsSync(path.join(dir, 'redis-server'))) return path.join(dir, 'redis-server');
  }
  return null;
}

/** redis-server, installed with apt-get if missing (as root only); null with a reason when impossible. */
export function ensureRedisServer(progress: (message: string) => void): { bin: string } | { skip: string } {
  const found = findRedisServer();
  if (found !== null) return { bin: found };
  if (process.getuid?.() !== 0) return { skip: 'redis-server is not installed (install it with `apt-get install -y redis-server` for the Redis column)' };
  progress('redis-server missing: apt-get install -y redis-server');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): boolean => spawnSync('apt-get', ['install', '-y', '-qq', 'redis-server'], { env, stdio: 'ignore', timeout: 300_000 }).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['update', '-qq'], { env, stdio: 'ignore', timeout: 300_000 });
    install();
  }
  const bin = findRedisServer();
  return bin === null ? { skip: '`apt-get install -y redis-server` failed, so the Redis column is skipped' } : { bin };
}

/** Starts `redis-server` on a free loopback port under the harness's watchdog wrapper. */
export async function startRedis(bin: string): Promise<RedisServer> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--protected-mode', 'yes'];
  const child = spawn('/bin/sh', ['-c', WATCHDOG_SCRIPT, 'mcc-redis-watchdog', bin, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => undefined);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = await new Promise<number>((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const line = text.split('\n')[0];
      if (text.includes('\n') && Number(line) > 0) resolve(Number(line));
    });
    void exited.then(() => reject(new Error(`redis-server exited at start: ${stderr.trim()}`)));
  });
  const stop = async (): Promise<void> => {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => child.stdin.destroy(), 5000); // the watchdog then SIGKILLs it
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + REDIS_START_TIMEOUT_MS;
  for (;;) {
    const probe = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      const info = await probe.info('server');
      probe.disconnect();
      return { port, version: /redis_version:(\S+)/.exec(info)?.[1] ?? '?', stop };
    } catch (error) {
      probe.disconnect();
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`redis-server did not answer on port ${port} within ${REDIS_START_TIMEOUT_MS} ms: ${(error as Error).message} ${stderr.trim()}`);
      }
      await sleep(50);
    }
  }
}

/** Finds (or installs) and starts redis-server; null, with a note saying why the `column` is skipped, when it cannot. */
export async function startRedisIfPossible(progress: (message: string) => void, notes: string[], column = 'Redis'): Promise<RedisServer | null> {
  const found = ensureRedisServer(progress);
  if ('skip' in found) {
    notes.push(`${column} column skipped: ${found.skip}.`);
    return null;
  }
  try {
    const server = await startRedis(found.bin);
    progress(`redis-server ${server.version} at 127.0.0.1:${server.port} (started for this run)`);
    return server;
  } catch (error) {
    notes.push(`${column} column skipped: ${(error as Error).message}`);
    return null;
  }
}

/** The installed ioredis version, for the report's notes. */
export function redisClientVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('ioredis/package.json') as { version: string }).version;
  } catch {
    return '5';
  }
}
