/**
 * docker/README.md's claims, checked without Docker:
 * - its "check without Docker" command parses compose.yml and lists the services;
 * - `MCC_SERVERS=… pnpm test` runs the tests against servers like the compose
 *   nodes: three memcached started with the flags compose.yml gives them, one
 *   package's whole suite (protocol: it has the tests that need servers of
 *   their own — -C, -I 1m, the fault proxy, noop counting — which must start
 *   their own instead of failing).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { startCluster, type MemcachedCluster } from '@mcc/harness';
import { fencedBlocks, REPO_ROOT } from '../src';

const run = promisify(execFile);
const readme = readFileSync(path.join(REPO_ROOT, 'docker', 'README.md'), 'utf8');

test('the "check without Docker" command runs as written and lists the services', async () => {
  const section = readme.slice(readme.indexOf('## Checking the files without Docker'));
  const block = fencedBlocks('docker/README.md', section).find((candidate) => candidate.language === 'sh')!;
  const command = block.source.split('\n').find((line) => line.startsWith('node -e'))!;
  const { stdout } = await run('sh', ['-c', command], { cwd: REPO_ROOT, timeout: 30_000 });
  expect(stdout).toMatch(/node1.*node2.*node3.*demo/s);
});

describe('MCC_SERVERS=… pnpm test against servers with the compose flags', () => {
  let cluster: MemcachedCluster | undefined;
  afterAll(async () => {
    await Promise.all(cluster?.servers.map((server) => server.kill()) ?? []);
  });

  test("the protocol package's whole suite passes", async () => {
    // The flags of compose.yml's nodes, read from the file (its x-memcached anchor).
    const flags = JSON.parse(/command: (\[[^\]]*\])/.exec(readFileSync(path.join(REPO_ROOT, 'docker', 'compose.yml'), 'utf8'))![1]!) as string[];
    expect(flags).toEqual(expect.arrayContaining(['-M', '-I']));
    cluster = await startCluster(3, { extraArgs: flags });
    const env = { ...process.env, MCC_SERVERS: cluster.addresses.join(',') };
    // In band, as the suite runs in CI on 2 cores: its timing tests want the machine to themselves.
    const result = await run('pnpm', ['jest', '--ci', '--runInBand'], { cwd: path.join(REPO_ROOT, 'packages', 'protocol'), env, timeout: 420_000 }).catch(
      (error: { stdout: string; stderr: string }) => ({ stdout: error.stdout, stderr: error.stderr }),
    );
    const summary = /Tests:\s+(.*)/.exec(result.stderr)?.[1] ?? result.stderr.slice(-2000);
    // The failing tests' names, so that a failure here says which one.
    const failing = [...result.stderr.matchAll(/^\s*● (.+)$/gm)].map((match) => match[1]).filter((name) => name !== 'Console');
    expect({ summary, failing }).toEqual({ summary: expect.stringMatching(/^\d+ passed, \d+ total$/), failing: [] });
  }, 480_000);
});
