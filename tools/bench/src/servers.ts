/**
 * The memcached servers a suite runs against: started through the harness,
 * or the operator's own (`--servers`), which are never stopped.
 */
import { type MemcachedOptions, startCluster } from '@mcc/harness';

export interface ServerLease {
  readonly addresses: readonly string[];
  /** Stops the servers we started (idempotent); a no-op for external ones. */
  release(): Promise<void>;
}

/**
 * @param external servers from `--servers`, or null to start `count` fresh ones.
 * @throws Error when fewer external servers were given than the suite needs.
 */
export async function acquireServers(count: number, options: MemcachedOptions | undefined, external: readonly string[] | null): Promise<ServerLease> {
  if (count === 0) return { addresses: [], release: async () => {} };
  if (external !== null) {
    if (external.length < count) throw new Error(`this suite needs ${count} servers, --servers lists ${external.length}`);
    return { addresses: external.slice(0, count), release: async () => {} };
  }
  const cluster = await startCluster(count, options);
  let released: Promise<void> | null = null;
  return {
    addresses: cluster.addresses,
    release: () => (released ??= cluster.stop()),
  };
}
