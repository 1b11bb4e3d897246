import { type MemcachedOptions, type MemcachedServer, rawTextRequest, startMemcached, killAllMemcached, testCertificates } from '../src';

/** `stats settings` as a name → value map, read over a raw socket. */
async function settings(server: MemcachedServer): Promise<Map<string, string>> {
  const reply = await rawTextRequest(server.address, 'stats settings\r\n', { until: /^END\r\n/m });
  const entries = [...reply.matchAll(/^STAT (\S+) (.*)\r$/gm)].map((match): [string, string] => [match[1]!, match[2]!]);
  return new Map(entries);
}

describe('startMemcached options', () => {
  const variants: Record<string, MemcachedOptions> = {
    defaults: {},
    noEvictions: { evictions: false },
    noCas: { cas: false },
    itemSize: { itemSizeMax: '2m' },
    itemSizeNumber: { itemSizeMax: 2097152 },
    memory: { memoryMb: 100 },
    extra: { extraArgs: ['-c', '321'] },
    tls: { tls: true },
    sasl: { sasl: { username: 'harness', password: 'secret' } },
  };
  const servers = new Map<string, MemcachedServer>();

  beforeAll(async () => {
    // In parallel: each start is independent and the suite should stay fast.
    await Promise.all(
      Object.entries(variants).map(async ([name, options]) => servers.set(name, await startMemcached(options))),
    );
  });
  afterAll(() => killAllMemcached());

  const server = (name: string): MemcachedServer => servers.get(name)!;

  test('tls: answers over TLS with the test CA, and not over plain TCP', async () => {
    const s = server('tls');
    const reply = await rawTextRequest(s.address, 'version\r\n', { tls: { ca: testCertificates().ca } });
    expect(reply).toMatch(/^VERSION /);
    await expect(rawTextRequest(s.address, 'version\r\n', { timeoutMs: 500 })).rejects.toThrow();
  });

  test('sasl: runs with -S and answers the text protocol nothing', async () => {
    const s = server('sasl');
    expect(s.args).toContain('-S');
    await expect(rawTextRequest(s.address, 'version\r\n', { timeoutMs: 500 })).rejects.toThrow();
  });

  test('defaults: loopback, UDP off, evictions and CAS on', async () => {
    const s = server('defaults');
    expect(s.host).toBe('127.0.0.1');
    expect(s.address).toBe(`127.0.0.1:${s.port}`);
    expect(s.args.slice(0, 6)).toEqual(['-l', '127.0.0.1', '-p', String(s.port), '-U', '0']);
    expect(s.args.includes('-u')).toBe(process.getuid?.() === 0);
    const stats = await settings(s);
    expect(stats.get('evictions')).toBe('on');
    expect(stats.get('cas_enabled')).toBe('yes');
    expect(stats.get('udpport')).toBe('0');
    expect(stats.get('tcpport')).toBe(String(s.port));
  });

  test('evictions: false passes -M', async () => {
    expect(server('noEvictions').args).toContain('-M');
    expect((await settings(server('noEvictions'))).get('evictions')).toBe('off');
  });

  test('cas: false passes -C', async () => {
    expect(server('noCas').args).toContain('-C');
    expect((await settings(server('noCas'))).get('cas_enabled')).toBe('no');
  });

  test('itemSizeMax passes -I (string and number)', async () => {
    expect((await settings(server('itemSize'))).get('item_size_max')).toBe('2097152');
    expect((await settings(server('itemSizeNumber'))).get('item_size_max')).toBe('2097152');
  });

  test('memoryMb passes -m', async () => {
    expect((await settings(server('memory'))).get('maxbytes')).toBe(String(100 * 1024 * 1024));
  });

  test('extraArgs are passed through', async () => {
    expect((await settings(server('extra'))).get('maxconns')).toBe('321');
  });
});
