import { connect, type Store } from '@mcc/mcas';

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

/** The error a promise rejects with (for checks of its fields); fails if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
