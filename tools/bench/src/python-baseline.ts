/**
 * The Python original's own benchmark as a baseline: `seed_deque_bench.py
 * SERVER SECONDS` (found beside the repository in
 * `shared/baselines/`, or at `MCC_SEED_DEQUE_BENCH`), run against the same
 * memcached, its single-process and 4-process figures parsed from stdout.
 * Optional: without the script, callers note the missing baseline.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export interface SeedResult {
  single: number;
  fourProcesses: number;
  /** The seed's own loss/duplicate check of its 4-process run. */
  check: string;
  /** Runs of the script that crashed before printing both figures (see SEED_ATTEMPTS). */
  crashes: string[];
}

/**
 * Tries of the seed script. Its 4-process part often crashes (about half the
 * runs here): a writer re-loads its own new node after the anchor CAS
 * (seed_deque.py, `push`), a concurrent popleft may already have deleted it,
 * and `Missing` is raised; the script's parent then waits forever for that
 * writer's result. A crashed run is cut short and run again, within a budget.
 */
const SEED_ATTEMPTS = 8;
const SEED_BUDGET_MS = 75_000;

export function seedScript(): string | null {
  const candidates = [
    process.env['MCC_SEED_DEQUE_BENCH'],
    // <repo>/tools/bench/dist → <repo>/../shared/baselines (shared/ sits beside the repository)
    path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'baselines', 'seed_deque_bench.py'),
  ];
  return candidates.find((candidate): candidate is string => candidate !== undefined && existsSync(candidate)) ?? null;
}

interface SeedRun {
  single: number | null;
  multi: { ops: number; check: string } | null;
  /** Why the run ended without both figures. */
  failure: string | null;
}

/**
 * One run of the seed script in its own process group, ended early (whole
 * group) once a traceback shows a crashed process, or at a time limit.
 */
function runSeedOnce(script: string, server: string, seconds: number, signal: AbortSignal): Promise<SeedRun> {
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  return new Promise((resolve) => {
    const child = spawn(python, [script, server, String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let failure: string | null = null;
    const killGroup = (why: string): void => {
      failure ??= why;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const limit = setTimeout(() => killGroup(`no result within ${3 * seconds + 20} s`), (3 * seconds + 20) * 1000);
    // Never leave the group behind: not on Ctrl-C, not if this process exits first.
    const onAbort = (): void => killGroup('interrupted');
    const onExit = (): void => killGroup('exiting');
    signal.addEventListener('abort', onAbort, { once: true });
    process.once('exit', onExit);
    let crashTimer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // A crashed writer or reader: its result never comes. Let the traceback finish, then end the group.
      if (crashTimer === undefined && stderr.includes('Traceback')) {
        crashTimer = setTimeout(() => killGroup(`crashed: ${stderr.trim().split('\n').at(-1) ?? ''}`), 300);
      }
    });
    const settle = (code: number | null): void => {
      clearTimeout(limit);
      signal.removeEventListener('abort', onAbort);
      process.off('exit', onExit);
      clearTimeout(crashTimer);
      const single = /seed single-process ops\/s (\d+)/.exec(stdout);
      const multi = /seed 4-process ops\/s (\d+) \(([^)]*)\)/.exec(stdout);
      if (failure === null && (single === null || multi === null)) failure = `exited with code ${code}: ${(stderr.trim() || stdout.trim()).split('\n').at(-1) ?? ''}`;
      resolve({ single: single === null ? null : Number(single[1]), multi: multi === null ? null : { ops: Number(multi[1]), check: multi[2]! }, failure });
    };
    child.on('error', (error) => {
      failure ??= error.message;
      settle(null);
    });
    child.on('close', settle);
  });
}

export async function runSeed(script: string, server: string, seconds: number, signal: AbortSignal): Promise<SeedResult> {
  const crashes: string[] = [];
  let single: number | null = null;
  const giveUpAt = Date.now() + SEED_BUDGET_MS;
  for (let attempt = 1; attempt <= SEED_ATTEMPTS && Date.now() < giveUpAt; attempt++) {
    signal.throwIfAborted();
    const result = await runSeedOnce(script, server, seconds, signal);
    single ??= result.single; // printed before the 4-process part starts
    if (result.multi !== null && single !== null) return { single, fourProcesses: result.multi.ops, check: result.multi.check, crashes };
    crashes.push(result.failure ?? 'no figures');
  }
  throw new Error(`${path.basename(script)} did not finish in ${crashes.length} tries: ${crashes.join('; ')}`);
}
