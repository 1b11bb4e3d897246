import type { MemcachedOptions } from './memcached-args';
import { type MemcachedServer, startMemcached } from './memcached-server';

/** Several memcached servers started together by {@link startCluster}. */
export interface MemcachedCluster {
  readonly servers: readonly MemcachedServer[];
  /** 'host:port' of each server, in `servers` order (a fresh array on each access) */
  readonly addresses: string[];
  /** Stops all servers (in parallel). */
  stop(): Promise<void>;
}

/**
 * Starts `count` memcached servers in parallel, each on its own free port,
 * all with the same options.
 *
 * If any server fails to start, the others are stopped before the error is rethrown.
 *
 * @throws TypeError if `count` is not a positive integer, or if `options.port` is set with count > 1
 */
export async function startCluster(count: number, options: MemcachedOptions = {}): Promise<MemcachedCluster> {
  if (!Number.isInteger(count) || count < 1) throw new TypeError(`count must be a positive integer, got ${count}`);
  if (options.port !== undefined && count > 1) {
    throw new TypeError('options.port cannot be used with a cluster of more than one server');
  }
  const results = await Promise.allSettled(Array.from({ length: count }, () => startMemcached(options)));
  const servers = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await Promise.allSettled(servers.map((server) => server.stop()));
    throw failure.reason;
  }
  const frozen = Object.freeze(servers);
  return {
    servers: frozen,
    get addresses() {
      return frozen.map((server) => server.address);
    },
    async stop() {
      await Promise.all(frozen.map((server) => server.stop()));
    },
  };
}
