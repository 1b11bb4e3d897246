import { freePort, startMemcached, useMemcached, type MemcachedServer } from '@mcc/harness';
import { runCli } from './run-cli';

const guarded = useMemcached(1, { evictions: false, itemSizeMax: '1m' });
let plain: MemcachedServer;

beforeAll(async () => {
  plain = await startMemcached();
});
afterAll(() => plain.kill());

describe('mcc doctor', () => {
  it('warns about evictions on a default server, names the -M fix, and exits non-zero', async () => {
    const run = await runCli(['doctor', '--servers', plain.address]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('evictions are on');
    expect(run.stdout).toContain('start memcached with -M');
    expect(run.stdout).toMatch(/CAS\s+enabled/);
  });

  it('passes a -M server: no eviction warning, exit 0', async () => {
    const run = await runCli(['doctor', '--servers', guarded.addresses[0]!]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('evictions are on');
    expect(run.stdout).toMatch(/evictions\s+off \(-M\)/);
    expect(run.stdout).toContain('all is well');
  });

  it('reports every server in --json, the risky one with its fix', async () => {
    const run = await runCli(['doctor', '--json', '--servers', `${guarded.addresses[0]},${plain.address}`]);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { ok: boolean; servers: { server: string; evictionsEnabled: boolean; casEnabled: boolean; itemSizeMax: number; evictions: number; findings: { level: string; fix?: string }[] }[] };
    expect(report.ok).toBe(false);
    const [good, risky] = report.servers;
    expect(good).toMatchObject({ server: guarded.addresses[0], evictionsEnabled: false, casEnabled: true, itemSizeMax: 1024 * 1024, evictions: 0 });
    expect(good!.findings.filter((finding) => finding.level !== 'note')).toEqual([]);
    expect(risky!.findings).toContainEqual(expect.objectContaining({ level: 'risk', fix: expect.stringContaining('-M') }));
  });

  it('flags a server without CAS (-C) with "remove -C"', async () => {
    const noCas = await startMemcached({ evictions: false, cas: false });
    try {
      const run = await runCli(['doctor', '--servers', noCas.address]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('CAS is disabled');
      expect(run.stdout).toContain('remove -C');
    } finally {
      await noCas.kill();
    }
  });

  it('reports an unreachable server with the code and how to start one', async () => {
    const port = await freePort();
    const run = await runCli(['doctor', '--servers', `127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('MCC_ERR_CONNECTION');
    expect(run.stdout).toContain(`memcached -M -m 1024 -I 2m -p ${port}`);
  });
});
