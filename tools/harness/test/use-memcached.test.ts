import { execFileSync } from 'node:child_process';
import { SERVERS_ENV, itemSizeBytes, parseServerList, rawTextRequest, readSettings, settingsMismatch, startMemcached, useMemcached, usePrivateMemcached, type MemcachedServer } from '../src';

// These tests decide themselves whether MCC_SERVERS is set.
const saved = process.env[SERVERS_ENV];
delete process.env[SERVERS_ENV];
afterAll(() => {
  if (saved !== undefined) process.env[SERVERS_ENV] = saved;
});

describe('useMemcached starting servers', () => {
  const mc = useMemcached(2, { cas: false });

  test('servers are running and answer', async () => {
    expect(mc.servers).toHaveLength(2);
    expect(mc.addresses).toEqual(mc.servers.map((server) => server.address));
    for (const address of mc.addresses) {
      expect(await rawTextRequest(address, 'version\r\n')).toMatch(/^VERSION /);
    }
    expect(mc.servers.every((server) => server.args.includes('-C'))).toBe(true);
  });
});

describe('useMemcached with MCC_SERVERS', () => {
  process.env[SERVERS_ENV] = ' 10.0.0.1:11211, 10.0.0.2:11212 ,10.0.0.3:11213';
  const one = useMemcached(1);
  const two = useMemcached(2);
  delete process.env[SERVERS_ENV];

  test('returns the listed addresses and starts nothing', () => {
    expect(one.servers).toEqual([]);
    expect(one.addresses).toEqual(['10.0.0.1:11211']);
    expect(two.addresses).toEqual(['10.0.0.1:11211', '10.0.0.2:11212']);
  });

  test('fails loudly when too few servers are listed', () => {
    process.env[SERVERS_ENV] = '10.0.0.1:11211';
    try {
      expect(() => useMemcached(2)).toThrow(/lists 1 server/);
    } finally {
      delete process.env[SERVERS_ENV];
    }
  });
});

test('parseServerList validates entries', () => {
  expect(parseServerList('a:1,b:2')).toEqual(['a:1', 'b:2']);
  expect(() => parseServerList('nohost')).toThrow(TypeError);
});

/** A free loopback port, found synchronously (the list must be set while jest collects the file). */
function freePortSync(): number {
  const script = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{process.stdout.write(String(s.address().port));s.close()})";
  return Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
}

describe('useMemcached under MCC_SERVERS with options: the listed servers only when they run with them', () => {
  // The "cluster you run": one server with -M -I 2m on a port listed in MCC_SERVERS, like docker's nodes.
  const port = freePortSync();
  let listed: MemcachedServer | undefined;
  beforeAll(async () => {
    listed = await startMemcached({ port, evictions: false, itemSizeMax: '2m' });
  });
  afterAll(async () => listed?.kill());
  process.env[SERVERS_ENV] = `127.0.0.1:${port}`;
  const plain = useMemcached(1);
  const matching = useMemcached(1, { evictions: false, itemSizeMax: '2m' });
  const otherLimit = useMemcached(1, { itemSizeMax: '1m' });
  const noCas = useMemcached(1, { cas: false });
  const extra = useMemcached(1, { extraArgs: ['-t', '2'] });
  const own = usePrivateMemcached(1);
  delete process.env[SERVERS_ENV];

  test('no options, or options the listed server runs with: the listed server, nothing started', () => {
    expect(plain.addresses).toEqual([`127.0.0.1:${port}`]);
    expect(matching.addresses).toEqual([`127.0.0.1:${port}`]);
    expect(matching.servers).toEqual([]);
  });

  test('options it does not run with (or cannot be checked), and usePrivateMemcached: servers of their own', () => {
    for (const used of [otherLimit, noCas, extra, own]) {
      expect(used.servers).toHaveLength(1);
      expect(used.addresses).not.toEqual([`127.0.0.1:${port}`]);
    }
    expect(noCas.servers[0]!.args).toContain('-C');
  });

  test('the settings are read back from the server (stats settings)', async () => {
    const settings = await readSettings(`127.0.0.1:${port}`);
    expect(settingsMismatch(settings, { evictions: false, itemSizeMax: 2 * 1024 * 1024 })).toBeNull();
    expect(settingsMismatch(settings, { itemSizeMax: '1m' })).toBe('item_size_max 2097152');
    expect(settingsMismatch(settings, { evictions: true })).toBe('evictions off');
    expect(itemSizeBytes('512k')).toBe(524288);
  });
});
