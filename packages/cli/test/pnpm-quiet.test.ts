/**
 * `pnpm mcc …` from the repository root, as the README tells scripts to use
 * it: stdout holds the command's output alone — no `> mcc-monorepo@ mcc …`
 * header before it, no `ELIFECYCLE` line after a non-zero exit — and the
 * exit code survives (pnpm-workspace.yaml's `reporter: silent`).
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { useMemcached } from '@mcc/harness';
import { runCli } from './run-cli';

const cluster = useMemcached(1);
const ROOT = path.resolve(__dirname, '..', '..', '..');

function pnpmMcc(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('pnpm', ['mcc', ...args], { cwd: ROOT, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

test('job=$(pnpm mcc pop q) captures the value alone, and an empty pop leaves stdout empty with exit 1', async () => {
  const name = `quiet-${Date.now()}`;
  const servers = ['--servers', cluster.addresses[0]!];
  expect((await runCli(['create', name, ...servers])).code).toBe(0);
  expect((await runCli(['push', name, '{"id":7}', ...servers])).code).toBe(0);
  const popped = await pnpmMcc(['pop', name, ...servers]);
  expect(popped).toMatchObject({ code: 0, stdout: '{"id":7}\n' });
  const empty = await pnpmMcc(['pop', name, ...servers]);
  expect(empty).toMatchObject({ code: 1, stdout: '' });
  expect(empty.stderr).not.toContain('ELIFECYCLE');
}, 180_000); // pnpm mcc builds what it needs first (turbo, normally cached)
