/**
 * Input validation: bad keys, values, numbers, options and addresses are
 * refused with typed errors before anything is sent.
 */
import { rawTextRequest, useMemcached } from '@mcc/harness';
import {
  Client,
  InvalidArgumentError,
  InvalidKeyError,
  McError,
  ValueTooLargeError,
  metricsDelta,
  type ClientOptions,
} from '../src';
import { uniqueKey } from './helpers';

describe('validation against a server with -I 1m', () => {
  const mc = useMemcached(1, { itemSizeMax: '1m' });
  let client: Client;
  const backgroundErrors: Error[] = [];
  beforeAll(async () => {
    client = new Client(mc.addresses, { onBackgroundError: (error) => backgroundErrors.push(error) });
    await client.noop(); // connected: "nothing sent" below means no request at all
  });
  afterAll(async () => {
    await client.close();
  });

  /** Asserts `attempt` rejects (or throws) with `type` and sends nothing. */
  async function refusedLocally<E extends McError>(
    type: abstract new (...args: never[]) => E,
    attempt: () => Promise<unknown> | unknown,
  ): Promise<E> {
    const before = { ...client.metrics };
    let error: unknown;
    try {
      await attempt();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(type);
    const delta = metricsDelta(before, client.metrics);
    expect({ requests: delta.requests, writes: delta.writes }).toEqual({ requests: 0, writes: 0 });
    return error as E;
  }

  const badKeys: Array<[string, string]> = [
    ['empty', ''],
    ['251 bytes', 'k'.repeat(251)],
    ['251 UTF-8 bytes in 126 characters', 'x' + 'é'.repeat(125)],
    ['a space', 'has space'],
    ['a newline', 'line\nbreak'],
    ['a carriage return', 'cr\r'],
    ['a tab', 'tab\there'],
    ['a NUL', 'nul\u0000'],
    ['a control character', 'bell\u0007'],
    ['DEL', 'del\u007f'],
    ['a lone high surrogate', 'lone\uD800'],
    ['a lone low surrogate', '\uDC00lone'],
    ['a reversed surrogate pair', 'pair\uDC00\uD800'],
  ];

  test.each(badKeys)('a key with %s → InvalidKeyError from every key operation, nothing sent', async (_name, key) => {
    const operations: Array<() => unknown> = [
      () => client.get(key),
      () => client.getMulti([uniqueKey('fine'), key]),
      () => client.set(key, 'v'),
      () => client.add(key, 'v'),
      () => client.replace(key, 'v'),
      () => client.append(key, 'v'),
      () => client.prepend(key, 'v'),
      () => client.delete(key),
      () => client.deleteQuiet(key),
      () => client.incr(key, 1),
      () => client.decr(key, 1),
      () => client.touch(key, 1),
      () => client.serverFor(key),
      () => client.serverInfo(key),
    ];
    for (const operation of operations) {
      const error = await refusedLocally(InvalidKeyError, operation);
      expect(error.code).toBe('MCC_ERR_INVALID_KEY');
      expect(error.key).toBe(key);
    }
  });

  test('get and noop from a server that is not one of `servers` → InvalidArgumentError naming the servers, nothing sent', async () => {
    const key = uniqueKey('named');
    const [server] = client.servers as [string];
    const port = server.slice(server.lastIndexOf(':') + 1);
    // Another port, the weighted spelling, another name of the same host, padding, a key (never read as one), no name, not a string.
    const notServers: unknown[] = ['127.0.0.1:1', `${server}:1`, `localhost:${port}`, ` ${server}`, key, '', 11211, null];
    for (const notServer of notServers) {
      for (const operation of [() => client.get(key, { server: notServer as string }), () => client.noop(notServer as string)]) {
        const error = await refusedLocally(InvalidArgumentError, operation);
        expect(error.message).toContain(`one of this client's servers (${server})`);
      }
    }
    await client.set(key, 'here');
    expect((await client.get(key, { server }))!.value.toString()).toBe('here');
    expect((await client.get(key, { server: undefined }))!.value.toString()).toBe('here');
  });

  test('the longest keys are accepted: 250 bytes, ASCII or UTF-8', async () => {
    const ascii = uniqueKey('k').padEnd(250, 'k');
    const utf8 = 'é'.repeat(125);
    for (const key of [ascii, utf8]) {
      expect(Buffer.byteLength(key)).toBe(250);
      await client.set(key, 'long');
      expect((await client.get(key))!.value.toString()).toBe('long');
    }
  });

  test('a value one byte over maxValueLength(keyLength) → ValueTooLargeError with size and limit; nothing sent', async () => {
    const info = await client.serverInfo();
    expect(info.itemSizeMax).toBe(1024 * 1024);
    for (const key of [uniqueKey('big'), uniqueKey('big').padEnd(250, 'x')]) {
      const keyLength = Buffer.byteLength(key);
      const limit = info.maxValueLength(keyLength);
      const error = await refusedLocally(ValueTooLargeError, () => client.set(key, Buffer.alloc(limit + 1, 7)));
      expect(error.code).toBe('MCC_ERR_VALUE_TOO_LARGE');
      expect(error.size).toBe(limit + 1);
      expect(error.limit).toBe(limit);
      expect(error.key).toBe(key);
      expect(error.server).toBe(mc.addresses[0]);
      expect(await client.get(key)).toBeNull();
      // add and replace are refused too
      await refusedLocally(ValueTooLargeError, () => client.add(key, Buffer.alloc(limit + 1)));
      await refusedLocally(ValueTooLargeError, () => client.replace(key, Buffer.alloc(limit + 1)));
      expect(await client.get(key)).toBeNull();
    }
  });

  test('an existing item survives a refused oversized write (memcached would have unlinked it)', async () => {
    const key = uniqueKey('keep');
    const cas = await client.set(key, 'small');
    const limit = (await client.serverInfo()).maxValueLength(Buffer.byteLength(key));
    await refusedLocally(ValueTooLargeError, () => client.set(key, Buffer.alloc(limit + 1)));
    const item = await client.get(key);
    expect(item!.value.toString()).toBe('small');
    expect(item!.cas).toBe(cas);
  });

  test('a value of exactly maxValueLength(keyLength) is stored and reads back intact', async () => {
    const info = await client.serverInfo();
    for (const key of [uniqueKey('max').slice(0, 1), uniqueKey('max'), uniqueKey('max').padEnd(250, 'y')]) {
      const limit = info.maxValueLength(Buffer.byteLength(key));
      const value = Buffer.alloc(limit);
      for (let i = 0; i < value.length; i++) value[i] = (i * 31 + 7) & 0xff;
      const cas = await client.set(key, value);
      expect(typeof cas).toBe('bigint');
      const item = await client.get(key);
      expect(item!.value.length).toBe(limit);
      expect(item!.value.equals(value)).toBe(true);
      expect(item!.cas).toBe(cas);
    }
  });

  test('the limit is tight: memcached itself refuses one byte more (checked over the text protocol)', async () => {
    const info = await client.serverInfo();
    const key = uniqueKey('tight');
    const limit = info.maxValueLength(Buffer.byteLength(key));
    const attempt = (size: number): Promise<string> =>
      rawTextRequest(mc.addresses[0]!, Buffer.concat([Buffer.from(`set ${key} 0 0 ${size}\r\n`), Buffer.alloc(size, 0x61), Buffer.from('\r\n')]), { timeoutMs: 5000 });
    expect(await attempt(limit + 1)).toMatch(/^SERVER_ERROR object too large for cache/);
    expect(await attempt(limit)).toBe('STORED\r\n');
  });

  test('non-zero flags cost 4 bytes: the limit with flags is exact, and an existing value survives one byte more', async () => {
    const info = await client.serverInfo();
    const key = uniqueKey('flagged');
    const flags = 0x4d430001;
    const limit = info.maxValueLength(Buffer.byteLength(key), flags);
    expect(limit).toBe(info.maxValueLength(Buffer.byteLength(key)) - 4);
    const cas = await client.set(key, Buffer.alloc(limit, 1), { flags });
    expect(typeof cas).toBe('bigint');
    await refusedLocally(ValueTooLargeError, () => client.set(key, Buffer.alloc(limit + 1, 2), { flags }));
    const item = await client.get(key);
    expect(item!.cas).toBe(cas);
    expect(item!.value.length).toBe(limit);
    // memcached itself refuses one byte more with these flags (a key of the same length).
    const twin = key.slice(0, -1) + (key.endsWith('z') ? 'y' : 'z');
    const raw = await rawTextRequest(mc.addresses[0]!, Buffer.concat([Buffer.from(`set ${twin} ${flags} 0 ${limit + 1}\r\n`), Buffer.alloc(limit + 1, 0x61), Buffer.from('\r\n')]), { timeoutMs: 5000 });
    expect(raw).toMatch(/^SERVER_ERROR object too large for cache/);
  });

  test('bad ttl, flags, cas, delta, initial and value → InvalidArgumentError, nothing sent', async () => {
    const key = uniqueKey('args');
    const bad: Array<[string, () => Promise<unknown>]> = [
      ['ttl -1', () => client.set(key, 'v', { ttl: -1 })],
      ['ttl 1.5', () => client.set(key, 'v', { ttl: 1.5 })],
      ['ttl NaN', () => client.add(key, 'v', { ttl: NaN })],
      ['ttl 2^32', () => client.replace(key, 'v', { ttl: 2 ** 32 })],
      ['touch ttl -5', () => client.touch(key, -5)],
      ['touch ttl Infinity', () => client.touch(key, Infinity)],
      ['touch without a ttl (it would make the item immortal)', () => client.touch(key, undefined as unknown as number)],
      ['cas 0n (no condition: a -C server returns CAS 0)', () => client.set(key, 'v', { cas: 0n })],
      ['replace cas 0n', () => client.replace(key, 'v', { cas: 0n })],
      ['delete cas 0n', () => client.delete(key, { cas: 0n })],
      ['deleteQuiet cas 0n', () => client.deleteQuiet(key, { cas: 0n })],
      ['incr initial ttl -1', () => client.incr(key, 1, { initial: 0, ttl: -1 })],
      ['flags -1', () => client.set(key, 'v', { flags: -1 })],
      ['flags 2^32', () => client.set(key, 'v', { flags: 2 ** 32 })],
      ['flags 0.5', () => client.set(key, 'v', { flags: 0.5 })],
      ['cas -1n', () => client.set(key, 'v', { cas: -1n })],
      ['cas 2^64', () => client.set(key, 'v', { cas: 1n << 64n })],
      ['cas as a number', () => client.set(key, 'v', { cas: 5 as unknown as bigint })],
      ['delete cas -1n', () => client.delete(key, { cas: -1n })],
      ['deleteQuiet cas 2^64', () => client.deleteQuiet(key, { cas: 1n << 64n })],
      ['append cas -2n', () => client.append(key, 'v', { cas: -2n })],
      ['delta -1', () => client.incr(key, -1)],
      ['delta -1n', () => client.decr(key, -1n)],
      ['delta 1.5', () => client.incr(key, 1.5)],
      ['delta 2^64', () => client.incr(key, 1n << 64n)],
      ['delta unsafe integer', () => client.incr(key, Number.MAX_SAFE_INTEGER + 2)],
      ['initial -1', () => client.incr(key, 1, { initial: -1 })],
      ['initial 2^64', () => client.decr(key, 1, { initial: 1n << 64n })],
      ['value null', () => client.set(key, null as unknown as string)],
      ['value number', () => client.set(key, 42 as unknown as string)],
      ['value object', () => client.append(key, {} as unknown as string)],
    ];
    for (const [name, attempt] of bad) {
      const error = await refusedLocally(InvalidArgumentError, attempt).catch((failure: Error) => {
        throw new Error(`${name}: ${failure.message}`);
      });
      expect(error.code).toBe('MCC_ERR_INVALID_ARGUMENT');
    }
    expect(await client.get(key)).toBeNull();
  });

  test('boundary values are accepted', async () => {
    const key = uniqueKey('edges');
    expect(await client.set(key, 'v', { ttl: 0, flags: 0xffffffff })).not.toBeNull();
    expect(await client.touch(key, 0)).toBe(true);
    const counter = uniqueKey('edge-counter');
    expect(await client.incr(counter, 0, { initial: (1n << 64n) - 1n })).toBe((1n << 64n) - 1n);
    expect(await client.decr(counter, (1n << 64n) - 1n)).toBe(0n);
    expect(await client.incr(counter, Number.MAX_SAFE_INTEGER)).toBe(BigInt(Number.MAX_SAFE_INTEGER));
  });
});

describe('client options and server addresses (no server needed)', () => {
  const badOptions: Array<[string, unknown]> = [
    ['an unknown option', { requestTimeout: 100 }],
    ['a misspelt option', { conectTimeoutMs: 100 }],
    ['requestTimeoutMs 0', { requestTimeoutMs: 0 }],
    ['requestTimeoutMs -1', { requestTimeoutMs: -1 }],
    ['connectTimeoutMs NaN', { connectTimeoutMs: NaN }],
    ['connectTimeoutMs as a string', { connectTimeoutMs: '100' }],
    ['maxQueueLength Infinity', { maxQueueLength: Infinity }],
    ['pointsPerServer 3', { pointsPerServer: 3 }],
    ['pointsPerServer 0', { pointsPerServer: 0 }],
    ['reconnectStrategy not a function', { reconnectStrategy: 100 }],
    ['onBackgroundError not a function', { onBackgroundError: 'log' }],
    ['noDelay not a boolean', { noDelay: 'yes' }],
    ['keepAliveMs negative', { keepAliveMs: -1 }],
    ['an unknown protocol', { protocol: 'text' }],
    ['tls as a string', { tls: 'yes' }],
    ['tls null', { tls: null }],
    ['sasl without a password', { sasl: { username: 'u' } }],
    ['sasl with an empty username', { sasl: { username: '', password: 'p' } }],
    ['sasl on the meta protocol', { protocol: 'meta', sasl: { username: 'u', password: 'p' } }],
  ];
  test('MCC_PROTOCOL chooses the protocol when the options do not, and a bad value is refused', () => {
    const saved = process.env.MCC_PROTOCOL;
    try {
      process.env.MCC_PROTOCOL = 'meta';
      expect(new Client('127.0.0.1:11211').protocol).toBe('meta');
      expect(new Client('127.0.0.1:11211', { protocol: 'binary' }).protocol).toBe('binary');
      process.env.MCC_PROTOCOL = 'binary';
      expect(new Client('127.0.0.1:11211').protocol).toBe('binary');
      process.env.MCC_PROTOCOL = 'udp';
      expect(() => new Client('127.0.0.1:11211')).toThrow(/MCC_PROTOCOL must be 'binary' or 'meta'/);
    } finally {
      if (saved === undefined) delete process.env.MCC_PROTOCOL;
      else process.env.MCC_PROTOCOL = saved;
    }
  });

  test.each(badOptions)('%s → InvalidArgumentError', (_name, options) => {
    let error: unknown;
    try {
      new Client('127.0.0.1:11211', options as ClientOptions);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as McError).code).toBe('MCC_ERR_INVALID_ARGUMENT');
  });

  test('options given as undefined are ignored; valid options are accepted', () => {
    expect(() => new Client('127.0.0.1:11211', { requestTimeoutMs: undefined, connectTimeoutMs: 10, noDelay: false, keepAliveMs: 0 })).not.toThrow();
  });

  const badAddresses: Array<[string, unknown]> = [
    ['an empty string', ''],
    ['an empty list', []],
    ['port 0', '127.0.0.1:0'],
    ['port 70000', '127.0.0.1:70000'],
    ['a non-numeric port', '127.0.0.1:abc'],
    ['too many parts', '127.0.0.1:11211:1:2'],
    ['a zero weight', '127.0.0.1:11211:0'],
    ['a URL', 'memcached://127.0.0.1:11211'],
    ['a host with a space', 'my host:11211'],
    ['an unbracketed IPv6 address with a port', '::1:11211'],
    ['a duplicate server', ['127.0.0.1:11211', '127.0.0.1:11211']],
    ['an object without host', { port: 11211 }],
    ['a number', 11211],
  ];
  test.each(badAddresses)('%s as the server list → InvalidArgumentError', (_name, servers) => {
    let error: unknown;
    try {
      new Client(servers as string);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as McError).code).toBe('MCC_ERR_INVALID_ARGUMENT');
  });

  test('accepted address forms name servers as host:port', async () => {
    const client = new Client(['localhost', '127.0.0.1:11311:2', { host: '10.0.0.1', port: 1234 }, '[::1]:11411']);
    expect(client.servers).toEqual(['localhost:11211', '127.0.0.1:11311', '10.0.0.1:1234', '[::1]:11411']);
    await client.close();
  });
});
