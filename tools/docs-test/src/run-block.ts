/**
 * Runs one ```ts block as its own node process against servers started for
 * it, and waits (bounded) for it to exit on its own: a README program that
 * leaves a client open hangs a user's script the same way.
 *
 * Each block runs in a working directory of its own (`<dir>/<block id>/`,
 * emptied first), holding its program and the files its server kind gives
 * it (a TLS kind's `ca.pem`), so a relative path in a block means what it
 * would mean to a user and no block sees another's files. The packages
 * resolve from `<dir>/node_modules`, one level up.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { blockProgram, exampleAddresses, MISMATCH_MARK } from './block-program';
import type { TsBlock } from './readme-blocks';
import { startServers } from './server-kinds';

export interface BlockRun {
  /** The process's exit code, or null when it was killed. */
  readonly exitCode: number | null;
  /** True when it did not exit within the block's timeout and was killed. */
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** `//=>` checks that failed, as `README.md:LINE: … gave X, the README says Y`. */
  readonly mismatches: string[];
  readonly elapsedMs: number;
}

/** Writes the block's program into its own directory under `dir` and runs it there. */
export async function runBlock(block: TsBlock, dir: string): Promise<BlockRun> {
  const { directives } = block;
  const count = directives.servers ?? exampleAddresses(block.source).length;
  const servers = await startServers(directives.kind, count, directives.flags);
  try {
    const cwd = path.join(dir, block.id);
    rmSync(cwd, { recursive: true, force: true });
    mkdirSync(cwd, { recursive: true });
    for (const [name, contents] of Object.entries(servers.files)) writeFileSync(path.join(cwd, name), contents);
    const file = path.join(cwd, 'program.mjs');
    writeFileSync(file, blockProgram(block.source, block.readme, block.line, servers.addresses));
    const env: NodeJS.ProcessEnv = { ...process.env, ...servers.env };
    delete env['MCC_SERVERS'];
    return await runNode(file, cwd, env, directives.timeoutSeconds * 1000);
  } finally {
    await servers.stop();
  }
}

function runNode(file: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<BlockRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      const mismatches = stderr
        .split('\n')
        .filter((line) => line.startsWith(MISMATCH_MARK))
        .map((line) => line.slice(MISMATCH_MARK.length).trim());
      resolve({ exitCode, timedOut, stdout, stderr, mismatches, elapsedMs: Date.now() - started });
    });
  });
}
