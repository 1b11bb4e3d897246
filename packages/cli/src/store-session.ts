/** Opens a store for one command and always closes it. */
import { connect, type Store } from '@mcc/mcas';

/** Timeouts for interactive commands: fail within seconds when a server is down. */
export const COMMAND_CLIENT_OPTIONS = { connectTimeoutMs: 2000, requestTimeoutMs: 5000 } as const;

/** Runs `action` with a store over `servers`, closing it afterwards whatever happens. */
export async function withStore<T>(servers: readonly string[], action: (store: Store) => Promise<T>): Promise<T> {
  const store = connect([...servers], COMMAND_CLIENT_OPTIONS);
  try {
    return await action(store);
  } finally {
    await store.close().catch(() => undefined);
  }
}
