import { InvalidArgumentError } from '../errors';
import { parseServerAddress, parseServerList, type ServerSpec } from './server-address';

describe('parseServerAddress', () => {
  test.each<[ServerSpec, string, number, number, string]>([
    ['127.0.0.1', '127.0.0.1', 11211, 1, '127.0.0.1:11211'],
    ['cache-1.internal', 'cache-1.internal', 11211, 1, 'cache-1.internal:11211'],
    ['cache_1:11212', 'cache_1', 11212, 1, 'cache_1:11212'],
    ['10.0.0.1:11211:3', '10.0.0.1', 11211, 3, '10.0.0.1:11211'],
    ['  localhost:1  ', 'localhost', 1, 1, 'localhost:1'],
    ['localhost:65535', 'localhost', 65535, 1, 'localhost:65535'],
    ['[::1]', '::1', 11211, 1, '[::1]:11211'],
    ['[::1]:11300', '::1', 11300, 1, '[::1]:11300'],
    ['[2001:db8::7]:11211:2', '2001:db8::7', 11211, 2, '[2001:db8::7]:11211'],
    ['[fe80::1%eth0]:11211', 'fe80::1%eth0', 11211, 1, '[fe80::1%eth0]:11211'],
    [{ host: 'cache-2' }, 'cache-2', 11211, 1, 'cache-2:11211'],
    [{ host: 'cache-2', port: 11300, weight: 4 }, 'cache-2', 11300, 4, 'cache-2:11300'],
    [{ host: '::1', port: 11212 }, '::1', 11212, 1, '[::1]:11212'],
    [{ host: '[::1]' }, '::1', 11211, 1, '[::1]:11211'],
  ])('%j → host %s, port %d, weight %d, key %s', (spec, host, port, weight, key) => {
    expect(parseServerAddress(spec)).toEqual({ host, port, weight, key });
  });

  test('returns a frozen value', () => {
    expect(Object.isFrozen(parseServerAddress('cache-1'))).toBe(true);
  });

  test.each<[unknown, RegExp]>([
    ['', /host is empty/],
    ['   ', /host is empty/],
    [':11211', /host is empty/],
    ['[]:11211', /host is empty/],
    [{ host: '' }, /host is empty/],
    ['cache-1:', /port/],
    ['cache-1:0', /port/],
    ['cache-1:65536', /port/],
    ['cache-1:-1', /port/],
    ['cache-1:1.5', /port/],
    ['cache-1:0x10', /port/],
    ['cache-1:1e3', /port/],
    ['cache-1:abc', /port/],
    ['cache-1: 11211', /port/],
    [{ host: 'cache-1', port: 0 }, /port/],
    [{ host: 'cache-1', port: 70000 }, /port/],
    [{ host: 'cache-1', port: 11211.5 }, /port/],
    [{ host: 'cache-1', port: '11211' }, /port/],
    [{ host: 'cache-1', port: Number.NaN }, /port/],
    ['cache-1:11211:0', /weight/],
    ['cache-1:11211:-2', /weight/],
    ['cache-1:11211:1.5', /weight/],
    ['cache-1:11211:', /weight/],
    ['[::1]:11211:x', /weight/],
    [{ host: 'cache-1', weight: 0 }, /weight/],
    [{ host: 'cache-1', weight: 2.5 }, /weight/],
    [{ host: 'cache-1', weight: Number.POSITIVE_INFINITY }, /weight/],
    ['::1', /IPv6 address in brackets/],
    ['fe80::1:11211', /IPv6 address in brackets/],
    ['a:1:2:3', /IPv6 address in brackets/],
    ['[::1', /missing "]"/],
    ['[::1]11211', /expected ":port"/],
    ['[::1]:1:2:3', /at most/],
    ['[cache-1]:11211', /only for IPv6/],
    ['cache 1:11211', /host may contain only/],
    ['memcached://cache-1:11211', /not a URL/],
    ['cache-1,cache-2', /host may contain only/],
    [{ host: 'not an ipv6 ::' }, /host must be/],
    [{ host: 'user@cache-1' }, /host must be/],
    [null, /expected "host/],
    [11211, /expected "host/],
    [{ port: 11211 }, /expected "host/],
  ])('rejects %j', (spec, reason) => {
    const attempt = (): unknown => parseServerAddress(spec as ServerSpec);
    expect(attempt).toThrow(InvalidArgumentError);
    expect(attempt).toThrow(reason);
    // The message names the offending spec so a bad entry in a long list is easy to find.
    expect(attempt).toThrow(`invalid server ${JSON.stringify(spec)}`);
  });

  test('rejections carry the invalid-argument code', () => {
    try {
      parseServerAddress('cache-1:99999');
      throw new Error('expected a rejection');
    } catch (error) {
      expect((error as InvalidArgumentError).code).toBe('MCC_ERR_INVALID_ARGUMENT');
    }
  });
});

describe('parseServerList', () => {
  test('parses an array of mixed specs in order', () => {
    const list = parseServerList(['cache-1', { host: 'cache-2', weight: 2 }, '[::1]:11300']);
    expect(list.map((address) => address.key)).toEqual(['cache-1:11211', 'cache-2:11211', '[::1]:11300']);
    expect(list.map((address) => address.weight)).toEqual([1, 2, 1]);
  });

  test('parses a comma-separated string, ignoring spaces around entries', () => {
    const list = parseServerList(' cache-1:11211, cache-2:11212:2 ,[::1]');
    expect(list.map((address) => [address.key, address.weight])).toEqual([
      ['cache-1:11211', 1],
      ['cache-2:11212', 2],
      ['[::1]:11211', 1],
    ]);
  });

  test('accepts a single spec', () => {
    expect(parseServerList('cache-1').map((address) => address.key)).toEqual(['cache-1:11211']);
    expect(parseServerList({ host: 'cache-1', port: 1 }).map((address) => address.key)).toEqual(['cache-1:1']);
  });

  test.each<[ServerSpec | ServerSpec[]]>([[[]], [''], ['  ']])('rejects the empty list %j', (specs) => {
    expect(() => parseServerList(specs)).toThrow(InvalidArgumentError);
    expect(() => parseServerList(specs)).toThrow(/empty/);
  });

  test.each<[ServerSpec | ServerSpec[]]>([['cache-1,,cache-2'], ['cache-1,'], [['cache-1', '']]])(
    'rejects an empty entry in %j',
    (specs) => {
      expect(() => parseServerList(specs)).toThrow('invalid server "": the host is empty');
    },
  );

  test.each<[ServerSpec | ServerSpec[], string]>([
    ['cache-1,cache-1:11211', 'cache-1:11211'],
    [['cache-1:11211:1', { host: 'cache-1', weight: 2 }], 'cache-1:11211'],
    ['[::1],[::1]:11211', '[::1]:11211'],
  ])('rejects duplicate keys in %j', (specs, key) => {
    expect(() => parseServerList(specs)).toThrow(InvalidArgumentError);
    expect(() => parseServerList(specs)).toThrow(`both are ${key}`);
  });

  test('names the offending entry of a list', () => {
    expect(() => parseServerList('cache-1, cache-2:port, cache-3')).toThrow('invalid server " cache-2:port"');
  });

  test('different ports on one host are different servers', () => {
    expect(parseServerList('cache-1:11211,cache-1:11212')).toHaveLength(2);
  });
});
