/**
 * The diagnostics channels (src/tracing.ts) against real memcached, on the
 * wire the run chose (MCC_PROTOCOL=binary|meta): every traced command gets
 * exactly start, end, asyncStart, asyncEnd (plus error when it fails) with
 * the documented fields; connection events come as documented; nobody
 * subscribed means nothing is published.
 */
import { channel, subscribe, tracingChannel, unsubscribe, type Channel } from 'node:diagnostics_channel';
import { FaultProxy, testClientOptions, usePrivateMemcached } from '@mcc/harness';
import { Client, TimeoutError, type CloseMessage, type CommandMessage, type ConnectionErrorMessage, type ConnectMessage } from '../src';
import { uniqueKey, waitFor } from './helpers';
import * as tracing from '../src/tracing';

const PHASES = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const;
type Phase = (typeof PHASES)[number];

/** Records every event of `mcc:protocol:command` as [phase, context] until stopped. */
function recordCommands(): { events: Array<[Phase, CommandMessage]>; stop: () => void } {
  const events: Array<[Phase, CommandMessage]> = [];
  const handlers = Object.fromEntries(PHASES.map((phase) => [phase, (message: unknown) => events.push([phase, message as CommandMessage])]));
  const traced = tracingChannel('mcc:protocol:command');
  traced.subscribe(handlers as never);
  return { events, stop: () => traced.unsubscribe(handlers as never) };
}

function recordPlain<T>(name: string): { messages: T[]; stop: () => void } {
  const messages: T[] = [];
  const handler = (message: unknown): void => void messages.push(message as T);
  subscribe(name, handler);
  return { messages, stop: () => void unsubscribe(name, handler) };
}

/** The phases each context went through, in order. */
function phasesByContext(events: ReadonlyArray<[Phase, CommandMessage]>): Map<CommandMessage, Phase[]> {
  const byContext = new Map<CommandMessage, Phase[]>();
  for (const [phase, context] of events) byContext.set(context, [...(byContext.get(context) ?? []), phase]);
  return byContext;
}

const { protocol } = testClientOptions();
const SET_NAME = protocol === 'meta' ? 'ms' : 'set';
const GET_NAME = protocol === 'meta' ? 'mg' : 'get';

describe(`mcc:protocol:* channels (${protocol})`, () => {
  const mc = usePrivateMemcached(1);
  const clients: Client[] = [];
  function open(servers: string[], options = {}): Client {
    const client = new Client(servers, options);
    clients.push(client);
    return client;
  }
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  test('a hit, a miss and a CAS mismatch: one trace each with server, wire, command, key, bytes, duration and result', async () => {
    const client = open(mc.addresses);
    await client.noop(); // connected before recording: only the commands below are traced
    const key = uniqueKey('trace');
    const recorder = recordCommands();
    try {
      const cas = await client.set(key, 'hello');
      const item = await client.get(key);
      const missing = await client.get(`${key}:missing`);
      const mismatch = await client.set(key, 'other', { cas: cas! + 1n, epoch: item!.epoch });
      expect(mismatch).toBeNull();
      expect(missing).toBeNull();
    } finally {
      recorder.stop();
    }
    const byContext = phasesByContext(recorder.events);
    expect([...byContext.values()]).toEqual(Array.from({ length: 4 }, () => ['start', 'end', 'asyncStart', 'asyncEnd']));
    const [set, get, miss, casSet] = [...byContext.keys()] as [CommandMessage, CommandMessage, CommandMessage, CommandMessage];
    for (const message of [set, get, miss, casSet]) {
      expect(message.server).toBe(mc.addresses[0]);
      expect(message.wire).toBe(protocol);
      expect(message.durationMs).toBeGreaterThan(0);
      expect(message.replyBytes).toBeGreaterThan(0);
      expect(message.error).toBeUndefined();
    }
    expect([set.command, get.command, miss.command, casSet.command]).toEqual([SET_NAME, GET_NAME, GET_NAME, SET_NAME]);
    expect([set.key, get.key, miss.key]).toEqual([key, key, `${key}:missing`]);
    expect(typeof set.result).toBe('bigint');
    expect(casSet.result).toBeNull();
    expect(miss.result).toBeNull();
    expect((get.result as { value: Buffer }).value.toString()).toBe('hello');
    const keyBytes = Buffer.byteLength(key);
    if (protocol === 'binary') {
      // 24-byte header; a set carries 8 bytes of extras (flags, expiry); a get's reply 4 (flags).
      expect(set.requestBytes).toBe(24 + 8 + keyBytes + 5);
      expect(set.replyBytes).toBe(24);
      expect(get.requestBytes).toBe(24 + keyBytes);
      expect(get.replyBytes).toBe(24 + 4 + 5);
    } else {
      // `ms <key> 5 …\r\nhello\r\n`; a hit is `VA 5 …\r\nhello\r\n`.
      expect(set.requestBytes).toBeGreaterThan(`ms ${key} 5\r\nhello\r\n`.length);
      expect(get.requestBytes).toBeGreaterThan(`mg ${key}\r\n`.length);
      expect(get.replyBytes).toBeGreaterThan('VA 5\r\nhello\r\n'.length);
    }
  });

  test('a timeout through the fault proxy: error with the TimeoutError, then the connection error and close; connect and a client close', async () => {
    const proxy = await FaultProxy.start(mc.addresses[0]!);
    const connects = recordPlain<ConnectMessage>('mcc:protocol:connect');
    const closes = recordPlain<CloseMessage>('mcc:protocol:close');
    const errors = recordPlain<ConnectionErrorMessage>('mcc:protocol:error');
    const recorder = recordCommands();
    try {
      const client = open([proxy.address], { requestTimeoutMs: 200 });
      await client.noop();
      expect(connects.messages).toEqual([{ server: proxy.address, wire: protocol, tls: false }]);
      proxy.setMode('blackhole');
      const key = uniqueKey('trace-timeout');
      await expect(client.get(key)).rejects.toBeInstanceOf(TimeoutError);
      proxy.setMode('pass');
      expect(errors.messages).toHaveLength(1);
      expect(errors.messages[0]).toMatchObject({ server: proxy.address, tls: false, phase: 'connection' });
      expect(closes.messages).toEqual([{ server: proxy.address, tls: false, reason: 'error', error: errors.messages[0]!.error }]);
      await client.noop(); // reconnects
      await client.close();
      await waitFor(() => closes.messages.length === 2, 'the close event');
      expect(closes.messages[1]).toEqual({ server: proxy.address, tls: false, reason: 'client', error: null });
      expect(connects.messages).toHaveLength(2);
    } finally {
      recorder.stop();
      connects.stop();
      closes.stop();
      errors.stop();
      await proxy.close();
    }
    const byContext = phasesByContext(recorder.events);
    const failed = [...byContext].filter(([context]) => context.error !== undefined);
    expect(failed).toHaveLength(1);
    const [context, phases] = failed[0]!;
    expect(phases).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    expect(context).toMatchObject({ server: proxy.address, wire: protocol, command: GET_NAME, replyBytes: 0 });
    expect(context.error).toBeInstanceOf(TimeoutError);
    expect(context.requestBytes).toBeGreaterThan(0); // written, never answered
    expect(context.durationMs).toBeGreaterThanOrEqual(190);
  });

  test('nobody subscribed: nothing is published on any channel', async () => {
    const client = open(mc.addresses);
    const names = [...PHASES.map((phase) => `tracing:mcc:protocol:command:${phase}`), 'mcc:protocol:connect', 'mcc:protocol:close', 'mcc:protocol:error'];
    const channels: Channel[] = names.map((name) => channel(name));
    const spies = channels.map((each) => jest.spyOn(each, 'publish'));
    const traced = jest.spyOn(tracing, 'traceSend'); // no message is built: the trace is never started
    try {
      for (const each of channels) expect(each.hasSubscribers).toBe(false);
      const key = uniqueKey('untraced');
      await client.set(key, 'v');
      await client.get(key);
      await client.close();
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      expect(traced).not.toHaveBeenCalled();
    } finally {
      traced.mockRestore();
      for (const spy of spies) spy.mockRestore();
    }
  });
});
