/** Runs the built CLI (dist/bin.js) as a child process, as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const BIN = path.resolve(__dirname, '..', 'dist', 'bin.js');

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment for the CLI: MCC_SERVERS removed, so every test says which servers it means. */
function cliEnvironment(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.MCC_SERVERS;
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export function startCli(args: readonly string[], env: Record<string, string | undefined> = {}): { child: ChildProcess; done: Promise<CliRun> } {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build first (pnpm --filter @mcc/cli... build)`);
  return startCommand([BIN, ...args], env);
}

/** Starts `node ...args` (a script and its arguments) with the CLI's environment. */
export function startCommand(args: readonly string[], env: Record<string, string | undefined> = {}): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, [...args], { env: cliEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

/** Runs `mcc ...args` to completion. */
export function runCli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return startCli(args, env).done;
}

/** Runs `node ...args` to completion. */
export function runCommand(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return startCommand(args, env).done;
}

/** Resolves once `text` matches the child's stderr so far (polling), or rejects after `timeoutMs`. */
export async function waitForStderr(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stderr never matched ${pattern}; got:\n${seen}`)), timeoutMs);
    child.stderr?.on('data', (chunk: Buffer | string) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match);
      }
    });
  });
}

/** Pids of running memcached processes (`pgrep -x memcached`). */
export async function memcachedPids(): Promise<Set<number>> {
  const run = await new Promise<string>((resolve) => {
    const child = spawn('pgrep', ['-x', 'memcached'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.once('close', () => resolve(out));
    child.once('error', () => resolve(''));
  });
  return new Set(run.split('\n').filter((line) => line.trim() !== '').map(Number));
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
