/**
 * The memcached clients under comparison, behind one small interface so the
 * suite drives both through exactly the same loop.
 *
 * Both check every reply (a miss or a refused write throws): a benchmark
 * that counted failures as fast operations would flatter whichever client
 * fails faster.
 */
import { Client, type ClientOptions } from '@mcc/protocol';
import * as memjs from 'memjs';

/** Per-client counters: requests encoded and socket writes (flushes). */
export interface WireCounters {
  readonly requests: number;
  readonly writes: number;
}

export interface KvSubject {
  readonly name: string;
  /** Reads `key`; resolves to the value's length. Throws on a miss. */
  get(key: string): Promise<number>;
  /** Stores `value` unconditionally, never expiring. Throws unless stored. */
  set(key: string, value: Buffer): Promise<void>;
  /** Current counters, or null when the client keeps none. */
  counters(): WireCounters | null;
  close(): Promise<void>;
}

/** @mcc/protocol with its default options (or `options`: protocol, TLS): pipelined, writes coalesced per tick. */
export function mccSubject(servers: readonly string[], options: ClientOptions = {}, name = 'mcc'): KvSubject & { readonly client: Client } {
  const client = new Client([...servers], options);
  return {
    name,
    client,
    async get(key) {
      const item = await client.get(key);
      if (item === null) throw new Error(`${name}: unexpected miss for ${key}`);
      return item.value.length;
    },
    async set(key, value) {
      const cas = await client.set(key, value);
      if (cas === null) throw new Error(`${name}: set ${key} was not stored`);
    },
    counters: () => ({ requests: client.metrics.requests, writes: client.metrics.writes }),
    close: () => client.close(),
  };
}

/**
 * memjs 1.3.2, the baseline. It writes each request to the socket as it is
 * made (one `socket.write` per request, no batching) and matches replies by
 * opaque, so concurrent calls are pipelined too. `retries: 0` because a retry
 * would hide a failure; `timeout` is in seconds, matching mcc's 5 s default.
 */
export function memjsSubject(servers: readonly string[]): KvSubject {
  const client = memjs.Client.create(servers.join(','), { retries: 0, timeout: 5 });
  return {
    name: 'memjs',
    async get(key) {
      const { value } = await client.get(key);
      if (value === null) throw new Error(`memjs: unexpected miss for ${key}`);
      return value.length;
    },
    async set(key, value) {
      const stored = await client.set(key, value, { expires: 0 });
      if (!stored) throw new Error(`memjs: set ${key} was not stored`);
    },
    counters: () => null,
    close: async () => client.close(),
  };
}
