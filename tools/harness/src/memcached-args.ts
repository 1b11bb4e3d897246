/** Options for {@link startMemcached} and {@link startCluster}. */
export interface MemcachedOptions {
  /**
   * TLS only (`-Z`) with the harness's throw-away certificates
   * ({@link testCertificates}); `'mutual'` also demands a client certificate
   * signed by the test CA (`ssl_verify_mode=2`, `ssl_ca_cert`).
   */
  tls?: boolean | 'mutual';
  /** SASL (`-S`) with a private sasldb holding this one user (binary protocol only). */
  sasl?: { username: string; password: string };
  /** Text-protocol authentication (`-Y`) with a private authfile holding this one user (`user:password`). */
  authFile?: { username: string; password: string };
  /** false → pass -M (return errors instead of evicting). Default true (memcached's default). */
  evictions?: boolean;
  /** false → pass -C (CAS disabled). Default true. */
  cas?: boolean;
  /** -I value (maximum item size), e.g. '1m' or 2097152 */
  itemSizeMax?: string | number;
  /** -m: memory limit in megabytes */
  memoryMb?: number;
  /** any further flags, appended verbatim */
  extraArgs?: string[];
  /** fixed port (default: a free loopback port) */
  port?: number;
  /** ms to wait for the server to answer; default 10000 */
  startTimeoutMs?: number;
}

/** The certificate files a TLS server is started with. */
export interface TlsServerFiles {
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
}

/** The loopback interface every harness server listens on. */
export const MEMCACHED_HOST = '127.0.0.1';

/** True when running as root; memcached refuses to start as root without `-u root`. */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * Builds memcached's command line: loopback only, UDP off (nothing in mcc uses
 * it, and a UDP port would be one more port to collide on), then the option flags.
 */
export function buildMemcachedArgs(port: number, options: MemcachedOptions = {}, asRoot = isRoot(), certificates?: TlsServerFiles, authFilePath?: string): string[] {
  const args = ['-l', MEMCACHED_HOST, '-p', String(port), '-U', '0'];
  if (asRoot) args.push('-u', 'root');
  if (options.tls && certificates !== undefined) {
    const files = [`ssl_chain_cert=${certificates.serverCertFile}`, `ssl_key=${certificates.serverKeyFile}`];
    if (options.tls === 'mutual') files.push(`ssl_ca_cert=${certificates.caFile}`, 'ssl_verify_mode=2');
    args.push('-Z', '-o', files.join(','));
  }
  if (options.sasl !== undefined) args.push('-S');
  if (options.authFile !== undefined && authFilePath !== undefined) args.push('-Y', authFilePath);
  if (options.evictions === false) args.push('-M');
  if (options.cas === false) args.push('-C');
  if (options.itemSizeMax !== undefined) args.push('-I', String(options.itemSizeMax));
  if (options.memoryMb !== undefined) args.push('-m', String(options.memoryMb));
  if (options.extraArgs) args.push(...options.extraArgs);
  return args;
}

/** Flags the harness sets itself: -p/--port, -l/--listen, -s/--unix-socket. */
const RESERVED_FLAGS = /^(?:-[pls]|--port|--listen|--unix-socket)(?:=|$|\d)/;

/**
 * Rejects option values that would only surface later as an obscure
 * memcached startup failure.
 *
 * @throws TypeError
 */
export function validateMemcachedOptions(options: MemcachedOptions): void {
  const { port, memoryMb, startTimeoutMs, itemSizeMax } = options;
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
    throw new TypeError(`port must be an integer in 1..65535, got ${port}`);
  }
  if (memoryMb !== undefined && (!Number.isInteger(memoryMb) || memoryMb < 1)) {
    throw new TypeError(`memoryMb must be a positive integer, got ${memoryMb}`);
  }
  if (startTimeoutMs !== undefined && !(startTimeoutMs > 0)) {
    throw new TypeError(`startTimeoutMs must be positive, got ${startTimeoutMs}`);
  }
  if (typeof itemSizeMax === 'number' && (!Number.isInteger(itemSizeMax) || itemSizeMax < 1)) {
    throw new TypeError(`itemSizeMax must be a positive integer or a size string, got ${itemSizeMax}`);
  }
  // The harness must know where the server listens: it probes that address
  // for readiness and reports it to tests.
  const clash = options.extraArgs?.find((arg) => RESERVED_FLAGS.test(arg));
  if (clash !== undefined) {
    throw new TypeError(`extraArgs must not set where memcached listens (${clash}); use options.port`);
  }
}
