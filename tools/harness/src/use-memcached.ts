import { parseAddress } from './address';
import { type MemcachedCluster, startCluster } from './cluster';
import { asksForNothing, serversSatisfy } from './external-servers';
import type { MemcachedOptions } from './memcached-args';
import type { MemcachedServer } from './memcached-server';

/** Environment variable with externally managed servers: 'host:port,host:port'. */
export const SERVERS_ENV = 'MCC_SERVERS';

/** The object returned by {@link useMemcached}; read it inside tests and hooks. */
export interface UsedMemcached {
  /** the started servers; empty when MCC_SERVERS is used */
  readonly servers: readonly MemcachedServer[];
  /** 'host:port' of each server */
  readonly addresses: string[];
}

/**
 * jest's hook globals, typed loosely: the build does not depend on @types/jest
 * and this module must load outside jest.
 */
type HookRegistrar = (fn: () => Promise<void>, timeoutMs?: number) => void;
interface JestHookGlobals {
  beforeAll?: HookRegistrar;
  afterAll?: HookRegistrar;
}

/**
 * Parses MCC_SERVERS-style text ('host:port,host:port') into addresses.
 *
 * @throws TypeError on a malformed entry
 */
export function parseServerList(text: string): string[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      parseAddress(entry);
      return entry;
    });
}

/**
 * Starts `count` memcached servers in `beforeAll` and stops them (SIGKILL, the
 * fast way) in `afterAll` of the surrounding jest file or `describe` block.
 *
 * If the environment variable `MCC_SERVERS` is set (comma-separated
 * `host:port` list; it must list at least `count`), the first `count` of
 * those servers are used instead — `servers` is then empty — when they can
 * stand in for what the test asks: with no `options`, always; with options
 * (`cas`, `evictions`, `itemSizeMax`, `memoryMb`), only when every listed
 * server runs with exactly those settings (read from `stats settings` in
 * `beforeAll`); otherwise, and always for `extraArgs` or `port`, private
 * servers are started as without MCC_SERVERS. Use it to run a suite against
 * servers you manage yourself (e.g. docker). A test that needs servers of its
 * own whatever MCC_SERVERS says (it kills them, counts their requests, or
 * puts a proxy before them) uses {@link usePrivateMemcached}.
 *
 * @example
 * ```ts
 * const mc = useMemcached(3, { evictions: false });
 * test('…', async () => { const client = createClient(mc.addresses); … });
 * ```
 * @throws Error when called outside jest (no `beforeAll`/`afterAll` globals), unless
 *   MCC_SERVERS is set and no options are given
 */
export function useMemcached(count: number, options: MemcachedOptions = {}): UsedMemcached {
  const external = process.env[SERVERS_ENV];
  if (external === undefined || external.trim() === '') return usePrivateMemcached(count, options);
  const listed = parseServerList(external);
  if (listed.length < count) {
    throw new Error(`${SERVERS_ENV} lists ${listed.length} server(s) but this test needs ${count}`);
  }
  const addresses = listed.slice(0, count);
  if (asksForNothing(options)) {
    return {
      servers: [],
      get addresses() {
        return [...addresses];
      },
    };
  }
  // The flags matter to this test: use the listed servers only if they run with them.
  const hooks = jestHooks();
  let chosen: UsedMemcached | undefined;
  let cluster: MemcachedCluster | undefined;
  const hookTimeoutMs = (options.startTimeoutMs ?? 10_000) + 10_000;
  hooks.beforeAll(async () => {
    if (await serversSatisfy(addresses, options)) {
      chosen = { servers: [], addresses: [...addresses] };
      return;
    }
    cluster = await startCluster(count, options);
    chosen = cluster;
  }, hookTimeoutMs);
  hooks.afterAll(async () => {
    await Promise.all(cluster?.servers.map((server) => server.kill()) ?? []);
    cluster = undefined;
  }, hookTimeoutMs);
  const current = (): UsedMemcached => {
    if (chosen === undefined) throw new Error('useMemcached(): servers are only available inside tests and hooks, after beforeAll');
    return chosen;
  };
  return {
    get servers() {
      return current().servers;
    },
    get addresses() {
      return [...current().addresses];
    },
  };
}

function jestHooks(): Required<JestHookGlobals> {
  const hooks = globalThis as unknown as JestHookGlobals;
  if (typeof hooks.beforeAll !== 'function' || typeof hooks.afterAll !== 'function') {
    throw new Error('useMemcached() needs jest globals (beforeAll/afterAll); call it at the top of a test file or describe block');
  }
  return hooks as Required<JestHookGlobals>;
}

/**
 * Like {@link useMemcached}, but always starts private servers, whatever
 * MCC_SERVERS says: for tests that kill or restart their servers, count the
 * requests a server saw, or put a fault proxy in front of one — things a
 * shared server (another test's traffic, a cluster you run) would spoil.
 */
export function usePrivateMemcached(count: number, options: MemcachedOptions = {}): UsedMemcached {
  const hooks = jestHooks();
  let cluster: MemcachedCluster | undefined;
  const current = (): MemcachedCluster => {
    if (!cluster) throw new Error('useMemcached(): servers are only available inside tests and hooks, after beforeAll');
    return cluster;
  };
  // Generous hook timeout: the default jest timeout may be shorter than a slow start.
  const hookTimeoutMs = (options.startTimeoutMs ?? 10_000) + 10_000;
  hooks.beforeAll(async () => {
    cluster = await startCluster(count, options);
  }, hookTimeoutMs);
  hooks.afterAll(async () => {
    // kill(), not stop(): the data is disposable and memcached only acts on
    // SIGTERM at its next once-a-second clock tick, which would add up to a
    // second to every test file.
    await Promise.all(cluster?.servers.map((server) => server.kill()) ?? []);
    cluster = undefined;
  }, hookTimeoutMs);
  return {
    get servers() {
      return current().servers;
    },
    get addresses() {
      return current().addresses;
    },
  };
}
