import { FaultProxy, useMemcached } from '@mcc/harness';
import { connect, type Store } from '../src';

/** Stores opened by a test file, closed after it. */
export function storeFactory(): { open(addresses: string[], options?: Parameters<typeof connect>[1]): Store; closeAll(): Promise<void> } {
  const stores: Store[] = [];
  return {
    open(addresses, options) {
      const store = connect(addresses, { requestTimeoutMs: 3000, ...options });
      stores.push(store);
      return store;
    },
    async closeAll() {
      await Promise.all(stores.splice(0).map((store) => store.close()));
    },
  };
}

/** Round trips as the server sees them: socket flushes of the one client. */
export async function writesDuring(store: Store, action: () => Promise<unknown>): Promise<number> {
  const before = store.client.metrics.writes;
  await action();
  return store.client.metrics.writes - before;
}

/** Names unique to this run of a test file: `prefix-pid-time-n`. */
export function uniqueNames(prefix: string): () => string {
  let counter = 0;
  const started = Date.now();
  return () => `${prefix}-${process.pid}-${started}-${counter++}`;
}

/**
 * One memcached (no evictions) with a FaultProxy in front, for a test file:
 * `proxy()` once the file's tests run; the stores are closed before the proxy.
 */
export function useProxiedMemcached(stores: ReturnType<typeof storeFactory>): { readonly server: ReturnType<typeof useMemcached>; proxy(): FaultProxy } {
  const server = useMemcached(1, { evictions: false });
  let proxy: FaultProxy | undefined;
  beforeAll(async () => (proxy = await FaultProxy.start(server.addresses[0]!)));
  afterAll(async () => {
    await stores.closeAll();
    await proxy?.close();
  });
  return { server, proxy: () => proxy! };
}
