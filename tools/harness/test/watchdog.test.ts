import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { pidExists, waitUntil } from './helpers/wait';

const FIXTURE = join(__dirname, 'fixtures', 'child-server.cjs');
const children = new Set<ChildProcess>();
const memcachedPids = new Set<number>();

interface Started {
  child: ChildProcess;
  pid: number;
  port: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns the fixture, which starts a memcached and reports its pid. */
async function spawnChild(mode: 'idle' | 'exit' | 'forget'): Promise<Started> {
  const child = spawn(process.execPath, [FIXTURE, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve(out.slice(0, newline));
    });
    void exited.then(({ code }) => reject(new Error(`child exited (${code}) before reporting: ${stderr}`)));
  });
  const { pid, port } = JSON.parse(line) as { pid: number; port: number };
  memcachedPids.add(pid);
  return { child, pid, port, exited };
}

afterEach(() => {
  // Belt and braces: never leave anything behind, even if a test failed.
  for (const child of children) child.kill('SIGKILL');
  for (const pid of memcachedPids) if (pidExists(pid)) process.kill(pid, 'SIGKILL');
  memcachedPids.clear();
});

describe('memcached dies with the process that started it', () => {
  test('parent SIGKILLed: the watchdog kills memcached', async () => {
    const { child, pid, exited } = await spawnChild('idle');
    expect(pidExists(pid)).toBe(true);
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    await waitUntil(() => !pidExists(pid), 5000, `memcached ${pid} to disappear`);
  });

  test('parent SIGTERMed: servers are stopped and the signal is re-raised', async () => {
    const { child, pid, exited } = await spawnChild('idle');
    child.kill('SIGTERM');
    expect((await exited).signal).toBe('SIGTERM');
    expect(pidExists(pid)).toBe(false);
  });

  test('parent calls process.exit(): memcached is killed', async () => {
    const { pid, exited } = await spawnChild('exit');
    expect((await exited).code).toBe(0);
    await waitUntil(() => !pidExists(pid), 5000, `memcached ${pid} to disappear`);
  });

  test('a forgotten server does not keep the parent alive, and dies with it', async () => {
    const { pid, exited } = await spawnChild('forget');
    expect((await exited).code).toBe(0);
    await waitUntil(() => !pidExists(pid), 5000, `memcached ${pid} to disappear`);
  });
});
