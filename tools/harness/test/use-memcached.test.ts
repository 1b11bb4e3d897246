import { SERVERS_ENV, parseServerList, rawTextRequest, useMemcached } from '../src';

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
