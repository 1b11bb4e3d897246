/**
 * The error contract: every error class has a unique, stable `MCC_ERR_*`
 * code; `McError.isMcError` recognises them (also across two copies of the
 * package); errors of operations name the key and the server.
 */
import * as net from 'node:net';
import { FaultProxy, useMemcached } from '@mcc/harness';
import * as protocol from '../src';
import {
  AuthenticationError,
  CasUnsupportedError,
  ClientClosedError,
  Client,
  ConnectionClosedError,
  ConnectionError,
  InvalidArgumentError,
  InvalidKeyError,
  McError,
  ProtocolError,
  QueueFullError,
  ServerError,
  StaleCasError,
  TimeoutError,
  ValueTooLargeError,
} from '../src';
import { rejectionOf, uniqueKey } from './helpers';

type ErrorClass = (abstract new (...args: never[]) => McError) & { readonly code: string };

/** One instance of each class, built as the client builds them. */
const samples: Array<[ErrorClass, McError]> = [
  [ConnectionError, new ConnectionError('refused', { key: 'k', server: 'h:1' })],
  [ConnectionClosedError, new ConnectionClosedError('closed', { key: 'k', server: 'h:1' })],
  [TimeoutError, new TimeoutError('request', 100, 'slow', { key: 'k', server: 'h:1' })],
  [ProtocolError, new ProtocolError('garbage', { server: 'h:1' })],
  [ServerError, new ServerError(0x82, 'out of memory', { key: 'k', server: 'h:1' })],
  [ValueTooLargeError, new ValueTooLargeError(10, 5, 'too large', { key: 'k', server: 'h:1' })],
  [InvalidKeyError, new InvalidKeyError('bad key', 'has a space')],
  [InvalidArgumentError, new InvalidArgumentError('bad ttl')],
  [CasUnsupportedError, new CasUnsupportedError('h:1', 'k')],
  [StaleCasError, new StaleCasError('1:1', '2:2', { key: 'k', server: 'h:1' })],
  [ClientClosedError, new ClientClosedError()],
  [QueueFullError, new QueueFullError('h:1', 10, 'k')],
  [AuthenticationError, new AuthenticationError('refused', { server: 'h:1' })],
];

describe('error classes', () => {
  test('every McError subclass exported by the package is covered here', () => {
    const exported = (Object.values(protocol) as unknown[]).filter(
      (value) => typeof value === 'function' && value.prototype instanceof McError,
    );
    expect(new Set(exported)).toEqual(new Set(samples.map(([type]) => type)));
  });

  test('codes are unique, start with MCC_ERR_, and instances carry their class code and name', () => {
    const codes = samples.map(([type]) => type.code);
    expect(new Set(codes).size).toBe(samples.length);
    for (const [type, error] of samples) {
      expect(type.code).toMatch(/^MCC_ERR_[A-Z_]+$/);
      expect(error.code).toBe(type.code);
      expect(error.name).toBe(type.name);
      expect(error).toBeInstanceOf(type);
      expect(error).toBeInstanceOf(McError);
      expect(error).toBeInstanceOf(Error);
      expect(McError.isMcError(error)).toBe(true);
      expect(typeof error.stack).toBe('string');
    }
  });

  test('codes are the documented, stable strings', () => {
    expect(Object.fromEntries(samples.map(([type]) => [type.name, type.code]))).toEqual({
      ConnectionError: 'MCC_ERR_CONNECTION',
      ConnectionClosedError: 'MCC_ERR_CONNECTION_CLOSED',
      TimeoutError: 'MCC_ERR_TIMEOUT',
      ProtocolError: 'MCC_ERR_PROTOCOL',
      ServerError: 'MCC_ERR_SERVER',
      ValueTooLargeError: 'MCC_ERR_VALUE_TOO_LARGE',
      InvalidKeyError: 'MCC_ERR_INVALID_KEY',
      InvalidArgumentError: 'MCC_ERR_INVALID_ARGUMENT',
      CasUnsupportedError: 'MCC_ERR_CAS_UNSUPPORTED',
      StaleCasError: 'MCC_ERR_STALE_CAS',
      ClientClosedError: 'MCC_ERR_CLIENT_CLOSED',
      QueueFullError: 'MCC_ERR_QUEUE_FULL',
      AuthenticationError: 'MCC_ERR_AUTH',
    });
  });

  test('McError.isMcError is false for everything else', () => {
    const lookalike = Object.assign(new Error('x'), { code: 'MCC_ERR_TIMEOUT' });
    for (const value of [new Error('plain'), lookalike, { code: 'MCC_ERR_SERVER', message: 'x' }, null, undefined, 'MCC_ERR_X', 42, {}]) {
      expect(McError.isMcError(value)).toBe(false);
    }
  });

  test('instanceof and McError.isMcError recognise errors from a second copy of the package (branded classes)', () => {
    let other: typeof import('../src/errors') | undefined;
    jest.isolateModules(() => {
      other = jest.requireActual<typeof import('../src/errors')>('../src/errors');
    });
    expect(other!.McError).not.toBe(McError);
    const foreign = new other!.TimeoutError('request', 5, 'slow');
    expect(Object.getPrototypeOf(foreign)).not.toBe(TimeoutError.prototype);
    expect(foreign).toBeInstanceOf(McError);
    expect(foreign).toBeInstanceOf(TimeoutError);
    expect(foreign).not.toBeInstanceOf(ConnectionError);
    expect(new TimeoutError('request', 5, 'slow')).toBeInstanceOf(other!.TimeoutError);
    expect(new ConnectionClosedError('closed')).not.toBeInstanceOf(other!.ConnectionError);
    expect(McError.isMcError(foreign)).toBe(true);
    expect(other!.McError.isMcError(new TimeoutError('request', 5, 'slow'))).toBe(true);
    expect(foreign.code).toBe(TimeoutError.code);
    // A subclass in a layer above (it extends the base of its own copy) is recognised too.
    class LayerError extends other!.McError {
      constructor() {
        super('MCC_ERR_LAYER', 'from a layer above');
      }
    }
    expect(new LayerError()).toBeInstanceOf(McError);
    expect(new LayerError()).toBeInstanceOf(LayerError);
    expect(new TimeoutError('request', 5, 'slow')).not.toBeInstanceOf(LayerError);
    expect({ code: 'MCC_ERR_TIMEOUT' }).not.toBeInstanceOf(TimeoutError);
    expect(null).not.toBeInstanceOf(McError);
  });

  test('the cause is kept', () => {
    const cause = new Error('ECONNRESET');
    expect(new ConnectionError('failed', { cause }).cause).toBe(cause);
    expect(new ConnectionClosedError('closed').cause).toBeUndefined();
  });
});

describe('operation errors name the key and the server', () => {
  const mc = useMemcached(1);
  let client: Client;
  const opened: Client[] = [];
  beforeAll(() => {
    client = new Client(mc.addresses, { onBackgroundError: () => {} });
  });
  afterAll(async () => {
    await Promise.all([client, ...opened].map((c) => c.close()));
  });

  function expectWhere(error: Error, type: ErrorClass, key: string, server: string): void {
    expect(error).toBeInstanceOf(type);
    expect({ code: (error as McError).code, key: (error as McError).key, server: (error as McError).server }).toEqual({ code: type.code, key, server });
  }

  test('ServerError and ValueTooLargeError', async () => {
    const key = uniqueKey('text');
    await client.set(key, 'text');
    expectWhere(await rejectionOf(client.incr(key, 1)), ServerError, key, mc.addresses[0]!);
    const limit = (await client.serverInfo()).maxValueLength(Buffer.byteLength(key));
    expectWhere(await rejectionOf(client.set(key, Buffer.alloc(limit + 1))), ValueTooLargeError, key, mc.addresses[0]!);
  });

  test('InvalidKeyError names the key (no server: it was never routed)', async () => {
    const error = (await rejectionOf(client.get('bad key'))) as InvalidKeyError;
    expect(error.key).toBe('bad key');
    expect(error.server).toBeUndefined();
  });

  test('TimeoutError, ConnectionClosedError, ConnectionError and QueueFullError, through a fault proxy', async () => {
    const proxy = await FaultProxy.start(mc.addresses[0]!);
    try {
      const viaProxy = new Client([proxy.address], { requestTimeoutMs: 200, connectTimeoutMs: 200, maxQueueLength: 3, reconnectStrategy: () => 10_000, onBackgroundError: () => {} });
      opened.push(viaProxy);
      await viaProxy.noop();
      const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => uniqueKey(name)) as [string, string, string, string];

      proxy.setMode('blackhole');
      const outcomes = [a, b, c, d].map((key) => rejectionOf(viaProxy.get(key)));
      const [timedOut, closed, alsoClosed, queueFull] = await Promise.all(outcomes);
      expectWhere(timedOut!, TimeoutError, a, proxy.address);
      expect((timedOut as TimeoutError).phase).toBe('request');
      expectWhere(closed!, ConnectionClosedError, b, proxy.address);
      expectWhere(alsoClosed!, ConnectionClosedError, c, proxy.address);
      expectWhere(queueFull!, QueueFullError, d, proxy.address);

      proxy.setMode('refuse');
      expectWhere(await rejectionOf(viaProxy.get(a)), ConnectionError, a, proxy.address);
      // and while backing off
      expectWhere(await rejectionOf(viaProxy.set(b, 'v')), ConnectionError, b, proxy.address);
    } finally {
      await proxy.close();
    }
  });
});

describe('ProtocolError from a server that answers binary garbage', () => {
  let fake: net.Server;
  let address: string;
  /** What the fake answers to anything but the handshake's two `stats`. */
  let answer: (header: Buffer) => Buffer;

  /** A binary-protocol response frame. */
  function frame(opcode: number, opaque: number, key = '', value = ''): Buffer {
    const keyBytes = Buffer.from(key);
    const valueBytes = Buffer.from(value);
    const header = Buffer.alloc(24);
    header[0] = 0x81;
    header[1] = opcode;
    header.writeUInt16BE(keyBytes.length, 2);
    header.writeUInt32BE(keyBytes.length + valueBytes.length, 8);
    header.writeUInt32BE(opaque, 12);
    return Buffer.concat([header, keyBytes, valueBytes]);
  }

  beforeAll(async () => {
    fake = net.createServer((socket) => {
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 24) {
          const bodyLength = buffered.readUInt32BE(8);
          if (buffered.length < 24 + bodyLength) return;
          const header = buffered.subarray(0, 24);
          const key = buffered.subarray(24 + buffered[4]!, 24 + buffered[4]! + buffered.readUInt16BE(2)).toString();
          buffered = buffered.subarray(24 + bodyLength);
          const opaque = header.readUInt32BE(12);
          if (header[1] === 0x10) {
            const stats: Record<string, string> = key === 'settings'
              ? { cas_enabled: 'yes', item_size_max: '1048576', evictions: 'on', maxbytes: '67108864' }
              : { pid: '4242', time: '1000', uptime: '10', version: 'fake' };
            socket.write(Buffer.concat([...Object.entries(stats).map(([name, value]) => frame(0x10, opaque, name, value)), frame(0x10, opaque)]));
          } else {
            socket.write(answer(header));
          }
        }
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(fake.address() as net.AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => fake.close(() => resolve()));
  });

  const garbage: Array<[string, (header: Buffer) => Buffer]> = [
    ['a bad magic byte', () => Buffer.alloc(24, 0x42)],
    ['an opaque nobody sent', (header) => frame(header[1]!, header.readUInt32BE(12) + 1000)],
    ['the wrong opcode', (header) => frame(0x01, header.readUInt32BE(12))],
  ];
  test.each(garbage)('%s → ProtocolError for every request in flight, each naming its key; the client reconnects', async (_name, reply) => {
    const sane = (header: Buffer): Buffer => frame(header[1]!, header.readUInt32BE(12));
    answer = sane;
    // A fake binary server: this test speaks binary in both test runs (meta-garbage.test.ts is its meta twin).
    const client = new Client(address, { requestTimeoutMs: 2000, protocol: 'binary' });
    try {
      expect((await client.serverInfo()).epoch).toBe('4242:990');
      answer = reply;
      const keys = [uniqueKey('p1'), uniqueKey('p2'), uniqueKey('p3')];
      const errors = await Promise.all(keys.map((key) => rejectionOf(client.get(key))));
      errors.forEach((error, i) => {
        expect(error).toBeInstanceOf(ProtocolError);
        expect({ key: (error as McError).key, server: (error as McError).server }).toEqual({ key: keys[i], server: address });
      });
      // the connection was closed; a new one (and handshake) serves the next request
      answer = sane;
      await expect(client.noop()).resolves.toBeUndefined();
    } finally {
      await client.close();
    }
  });
});
