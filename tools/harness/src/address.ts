/** A TCP endpoint. */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * Parses `'host:port'` (or `'[v6addr]:port'`) into its parts.
 *
 * @throws TypeError when the port is missing or not in 1..65535
 */
export function parseAddress(address: string): HostPort {
  const trimmed = address.trim();
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(trimmed);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TypeError(`invalid address ${JSON.stringify(address)}: expected host:port`);
  }
  return { host, port };
}

/** Accepts either form used across the harness API and returns a {@link HostPort}. */
export function toHostPort(target: string | HostPort): HostPort {
  return typeof target === 'string' ? parseAddress(target) : { host: target.host, port: target.port };
}

/** Formats a {@link HostPort} as `'host:port'` (brackets around IPv6 hosts). */
export function formatAddress({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
