/**
 * The servers a block can ask for with `// docs-test: kind=NAME` (default
 * `plain`). A kind starts `count` servers with the block's extra `flags` and
 * says how to reach them; add one here for servers that need more than
 * flags (TLS certificates, a SASL password database), and document it in
 * README.md. The runner always starts private servers, whatever
 * MCC_SERVERS says: a block may create names another block also creates.
 */
import { startCluster } from '@mcc/harness';

export interface BlockServers {
  /** `host:port` of each server, in the order the block's example addresses map to them. */
  readonly addresses: readonly string[];
  /** Extra environment for the block's process (e.g. the path of a CA file). */
  readonly env: Readonly<Record<string, string>>;
  /** Ends the servers (they are disposable: SIGKILL is fine). */
  stop(): Promise<void>;
}

export type ServerKind = (count: number, flags: readonly string[]) => Promise<BlockServers>;

const NONE: BlockServers = { addresses: [], env: {}, stop: async () => {} };

/** Plain memcached from the harness, on free loopback ports. */
const plain: ServerKind = async (count, flags) => {
  if (count === 0) return NONE;
  const cluster = await startCluster(count, { extraArgs: [...flags] });
  return { addresses: cluster.addresses, env: {}, stop: async () => void (await Promise.all(cluster.servers.map((server) => server.kill()))) };
};

export const SERVER_KINDS: Readonly<Record<string, ServerKind>> = { plain };

/** Starts the servers of `kind`. @throws Error for an unknown kind */
export function startServers(kind: string, count: number, flags: readonly string[]): Promise<BlockServers> {
  const start = SERVER_KINDS[kind];
  if (start === undefined) throw new Error(`unknown server kind "${kind}" (known: ${Object.keys(SERVER_KINDS).join(', ')})`);
  return start(count, flags);
}
