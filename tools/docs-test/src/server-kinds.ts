/**
 * The servers a block can ask for with `// docs-test: kind=NAME` (default
 * `plain`). A kind starts `count` servers with the block's extra `flags` and
 * says how to reach them: their addresses, environment variables for the
 * block's process, and files for its working directory (a CA certificate).
 * Add one here for servers that need more than flags, and document it in
 * README.md's kinds table. The runner always starts private servers,
 * whatever MCC_SERVERS says: a block may create names another block also
 * creates.
 */
import { randomBytes } from 'node:crypto';
import { startCluster, testCertificates, type MemcachedOptions } from '@mcc/harness';

export interface BlockServers {
  /** `host:port` of each server, in the order the block's example addresses map to them. */
  readonly addresses: readonly string[];
  /** Extra environment for the block's process (e.g. a password). */
  readonly env: Readonly<Record<string, string>>;
  /** Files written into the block's working directory before it runs: name → contents. */
  readonly files: Readonly<Record<string, string>>;
  /** Ends the servers (they are disposable: SIGKILL is fine). */
  stop(): Promise<void>;
}

export type ServerKind = (count: number, flags: readonly string[]) => Promise<BlockServers>;

/** The one user of a `sasl` server; the block reads the password from {@link SASL_PASSWORD_ENV}. */
export const SASL_USERNAME = 'app';
export const SASL_PASSWORD_ENV = 'MEMCACHED_PASSWORD';
/** The names a TLS block finds its certificates under, in its working directory. */
export const TLS_FILES = { ca: 'ca.pem', clientCert: 'client-cert.pem', clientKey: 'client-key.pem' } as const;

type Reach = Pick<BlockServers, 'env' | 'files'>;

/** `count` harness servers with `options` and the block's flags, reached as `reach` says. */
async function started(count: number, flags: readonly string[], options: MemcachedOptions, reach: Reach): Promise<BlockServers> {
  if (count === 0) return { addresses: [], env: {}, files: {}, stop: async () => {} };
  const cluster = await startCluster(count, { ...options, extraArgs: [...flags] });
  return { addresses: cluster.addresses, ...reach, stop: async () => void (await Promise.all(cluster.servers.map((server) => server.kill()))) };
}

/** Plain memcached from the harness, on free loopback ports. */
const plain: ServerKind = (count, flags) => started(count, flags, {}, { env: {}, files: {} });

/**
 * TLS only (`-Z`), with the harness's throw-away CA and a server certificate
 * it signed for 127.0.0.1 and localhost; the CA is `ca.pem` in the block's
 * directory, as a user would have saved it.
 */
const tls: ServerKind = (count, flags) => started(count, flags, { tls: true }, { env: {}, files: { [TLS_FILES.ca]: testCertificates().ca } });

/** As `tls`, and the server demands a client certificate signed by the CA (`ssl_verify_mode=2`). */
const mutualTls: ServerKind = (count, flags) => {
  const { ca, clientCert, clientKey } = testCertificates();
  const files = { [TLS_FILES.ca]: ca, [TLS_FILES.clientCert]: clientCert, [TLS_FILES.clientKey]: clientKey };
  return started(count, flags, { tls: 'mutual' }, { env: {}, files });
};

/**
 * SASL PLAIN (`-S`; binary protocol only) with a private sasldb holding one
 * user, {@link SASL_USERNAME}, whose password — fresh for every block, so
 * only a block that reads it can log in — is in the environment.
 */
const sasl: ServerKind = (count, flags) => {
  const password = randomBytes(12).toString('base64url');
  return started(count, flags, { sasl: { username: SASL_USERNAME, password } }, { env: { [SASL_PASSWORD_ENV]: password }, files: {} });
};

/**
 * memcached's authfile (`-Y`; text and meta protocol only) holding one user,
 * {@link SASL_USERNAME}, with a password fresh for every block, in the
 * environment as for `sasl`.
 */
const authfile: ServerKind = (count, flags) => {
  const password = randomBytes(12).toString('base64url');
  return started(count, flags, { authFile: { username: SASL_USERNAME, password } }, { env: { [SASL_PASSWORD_ENV]: password }, files: {} });
};

export const SERVER_KINDS: Readonly<Record<string, ServerKind>> = { plain, tls, 'mutual-tls': mutualTls, sasl, authfile };

/** Starts the servers of `kind`. @throws Error for an unknown kind */
export function startServers(kind: string, count: number, flags: readonly string[]): Promise<BlockServers> {
  const start = SERVER_KINDS[kind];
  if (start === undefined) throw new Error(`unknown server kind "${kind}" (known: ${Object.keys(SERVER_KINDS).join(', ')})`);
  return start(count, flags);
}
