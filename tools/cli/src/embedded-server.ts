/**
 * A private memcached for `mcc demo` when no servers are given: started
 * through @mcc/harness on a free loopback port with -M, and stopped when the
 * demo ends. The harness runs it under a watchdog that kills it if this
 * process dies for any reason (even SIGKILL) and kills it from an 'exit'
 * hook; the demo's own SIGINT/SIGTERM handlers stop it first.
 */
import { startMemcached } from '@mcc/harness';

export interface EmbeddedServer {
  /** `127.0.0.1:PORT` */
  readonly address: string;
  /** memcached's pid while it runs. */
  readonly pid: number | undefined;
  /** memcached's command-line arguments. */
  readonly args: readonly string[];
  /** Stops it (SIGKILL: the demo's data is disposable, and a graceful stop takes up to a second); idempotent. */
  stop(): Promise<void>;
}

/** Megabytes for the demo's server: -M makes a full server fail writes, so leave room. */
const DEMO_MEMORY_MB = 256;

/**
 * Starts the demo's memcached.
 * @throws MemcachedNotInstalledError (code MCC_ERR_MEMCACHED_NOT_INSTALLED) with install instructions
 * @throws MemcachedStartError (code MCC_ERR_MEMCACHED_START) with memcached's stderr
 */
export async function startEmbeddedServer(): Promise<EmbeddedServer> {
  const server = await startMemcached({ evictions: false, memoryMb: DEMO_MEMORY_MB });
  const pid = server.pid;
  let stopping: Promise<void> | undefined;
  return {
    address: server.address,
    get pid() {
      return server.running ? pid : undefined;
    },
    args: server.args,
    stop: () => (stopping ??= server.kill()),
  };
}
