/**
 * The public packages as users get them: `pnpm pack` of each (its prepack
 * build included), `npm install` of the tarballs into a fresh project in a
 * temporary directory outside the workspace, then an ES module and a
 * CommonJS script using every package against a real memcached, TypeScript
 * consumers under `--strict --exactOptionalPropertyTypes` with node16 (ESM
 * and CJS files) and bundler resolution, and @arethetypeswrong/cli.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startMemcached, type MemcachedServer } from '@mcc/harness';
import { CONSUMER_OUTPUT, TSC, installTarballs, pack, publicPackages, shippedFileProblems, writeJsConsumers, writeTypeScriptConsumers } from '../src';

const run = promisify(execFile);
const packages = publicPackages();
let root = '';
let project = '';
const tarballs = new Map<string, string>();
let server: MemcachedServer | undefined;

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'mcc-pack-test-'));
  project = path.join(root, 'consumer');
  server = await startMemcached();
  for (const pkg of packages) tarballs.set(pkg.name, pack(pkg, path.join(root, 'tarballs')));
  installTarballs(project, [...tarballs.values()]);
}, 300_000);

afterAll(async () => {
  await server?.kill();
  if (root !== '') rmSync(root, { recursive: true, force: true });
});

test('the public packages are the libraries and the CLI (nothing private)', () => {
  expect(packages.map((pkg) => pkg.name)).toEqual(expect.arrayContaining(['@mcc/cli', '@mcc/codec', '@mcc/deque', '@mcc/mcas', '@mcc/protocol']));
  expect(project.startsWith(path.resolve(__dirname, '..', '..', '..'))).toBe(false);
});

test.each(packages.map((pkg) => [pkg.name]))('%s is installed from its tarball with what it needs and nothing else', (name) => {
  const installed = path.join(project, 'node_modules', ...name.split('/'));
  const manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as { main?: string; types?: string; bin?: Record<string, string>; dependencies?: Record<string, string> };
  expect(shippedFileProblems(installed, manifest)).toEqual([]);
  // workspace:* became real versions: npm could install it at all, and says what it resolved.
  for (const range of Object.values(manifest.dependencies ?? {})) expect(range).not.toMatch(/^workspace:/);
});

test.each([['ES module', 'esm'], ['CommonJS script', 'cjs']] as const)('a %s using every package runs against memcached and exits', async (_label, kind) => {
  const file = writeJsConsumers(project)[kind];
  const { stdout } = await run(process.execPath, [file], { cwd: project, env: { ...process.env, MCC_TEST_SERVER: server!.address }, timeout: 30_000 });
  expect(JSON.parse(stdout)).toEqual(CONSUMER_OUTPUT);
});

test('the installed mcc bin runs against memcached, needing nothing of the workspace', async () => {
  const manifest = JSON.parse(readFileSync(path.join(project, 'node_modules', '@mcc', 'cli', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  expect(Object.keys(manifest.dependencies).filter((name) => !['@mcc/protocol', '@mcc/codec', '@mcc/mcas', '@mcc/deque', '@mcc/queue'].includes(name))).toEqual([]);
  const mcc = path.join(project, 'node_modules', '.bin', 'mcc');
  const servers = ['--servers', server!.address];
  const name = `pack-${process.pid}`;
  await run(mcc, ['create', name, ...servers], { cwd: project });
  await run(mcc, ['push', name, '{"job":1}', ...servers], { cwd: project });
  const popped = await run(mcc, ['pop', name, '--left', ...servers], { cwd: project });
  expect(JSON.parse(popped.stdout)).toEqual({ job: 1 });
  const queue = `pack-queue-${process.pid}`;
  await run(mcc, ['queue', 'create', queue, ...servers], { cwd: project });
  await run(mcc, ['queue', 'push', queue, '{"job":2}', ...servers], { cwd: project });
  const stats = await run(mcc, ['queue', 'stats', queue, '--json', ...servers], { cwd: project });
  expect(JSON.parse(stats.stdout)).toEqual({ queue, ready: 1, delayed: 0, inFlight: 0, dead: 0 });
  const help = await run(mcc, ['--help'], { cwd: project });
  expect(help.stdout).toContain('Usage: mcc <command>');
});

test.each(['node16', 'bundler'])('TypeScript consumers type-check under %s resolution (strict, exactOptionalPropertyTypes, no skipLibCheck)', async (label) => {
  const setup = writeTypeScriptConsumers(project).find((candidate) => candidate.label === label)!;
  const result = await run(process.execPath, [TSC, '-p', setup.tsconfig], { cwd: project, timeout: 120_000 }).then(
    () => '',
    (error: { stdout?: string; message: string }) => error.stdout || error.message,
  );
  expect(result).toBe('');
});

test.each(packages.map((pkg) => [pkg.name]))('@arethetypeswrong/cli finds no problem in %s', async (name) => {
  const attw = path.join(__dirname, '..', 'node_modules', '.bin', 'attw');
  const { stdout } = await run(attw, ['--format', 'json', tarballs.get(name)!], { timeout: 60_000 }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
  const report = JSON.parse(stdout) as { problems?: Record<string, unknown> };
  expect(report.problems ?? {}).toEqual({});
});
