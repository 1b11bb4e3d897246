/** Opens a store for one command and always closes it. */
import { connect, type ClientOptions, type Store } from '@mcc/mcas';
import { clientOptionsOf } from './connection-options';
import type { ServerTarget } from './open-command';

/** Timeouts for interactive commands: fail within seconds when a server is down. */
export const COMMAND_CLIENT_OPTIONS = { connectTimeoutMs: 2000, requestTimeoutMs: 5000 } as const;

/** The client options of a command on `target`: its connection settings and the interactive timeouts. */
export function commandClientOptions(target: Pick<ServerTarget, 'connection'>): ClientOptions {
  return { ...COMMAND_CLIENT_OPTIONS, ...clientOptionsOf(target.connection) };
}

/** Runs `action` with a store over the target's servers, closing it afterwards whatever happens. */
export async function withStore<T>(target: ServerTarget, action: (store: Store) => Promise<T>): Promise<T> {
  const store = connect([...target.servers], commandClientOptions(target));
  try {
    return await action(store);
  } finally {
    await store.close().catch(() => undefined);
  }
}
