/**
 * Parsing of memcached server addresses (`host`, `host:port`,
 * `host:port:weight`, `[ipv6]:port:weight`) into validated, frozen values.
 */

import { isIPv6 } from 'node:net';
import { InvalidArgumentError } from '../errors';

/** Port memcached listens on unless told otherwise. */
export const DEFAULT_PORT = 11211;

/** Weight of a server whose spec gives none. */
export const DEFAULT_WEIGHT = 1;

/** A validated server address. */
export interface ServerAddress {
  /** Host name or IP address; an IPv6 address is stored without brackets (`::1`). */
  readonly host: string;
  /** TCP port, 1–65535; {@link DEFAULT_PORT} when the spec has none. */
  readonly port: number;
  /** Relative share of keys, a positive integer; {@link DEFAULT_WEIGHT} when the spec has none. */
  readonly weight: number;
  /**
   * Stable identity `host:port` (`[::1]:11211` for IPv6), with the host exactly
   * as written: it names the server on the hash ring and in errors.
   */
  readonly key: string;
}

/**
 * A server as configured: a string (`host`, `host:port`, `host:port:weight`,
 * `[::1]`, `[::1]:port`, `[::1]:port:weight`) or an object.
 */
export type ServerSpec = string | { host: string; port?: number; weight?: number };

// Letters, digits, '.', '-' and '_' only: anything else (spaces, '/', '@',
// ',') is a typo or a URL, and would also make `key` ambiguous.
const HOST_NAME = /^[A-Za-z0-9._-]{1,253}$/;
const DIGITS = /^[0-9]+$/;

/**
 * Parses one server spec.
 *
 * @throws InvalidArgumentError naming the spec when the host is empty or
 *   malformed, the port is not an integer in 1–65535, the weight is not a
 *   positive integer, or the spec is not a string or `{ host }` object.
 */
export function parseServerAddress(spec: ServerSpec): ServerAddress {
  if (typeof spec === 'string') return parseString(spec);
  if (typeof spec === 'object' && spec !== null && typeof spec.host === 'string') return parseObject(spec);
  throw invalid(spec, 'expected "host[:port[:weight]]" or { host, port?, weight? }');
}

/**
 * Parses a list of server specs: an array, a single spec, or a
 * comma-separated string (`'cache-1:11211, cache-2:11211:2'`).
 *
 * @throws InvalidArgumentError when the list is empty, any spec is invalid, or
 *   two specs name the same `host:port`.
 */
export function parseServerList(specs: ServerSpec | readonly ServerSpec[]): ServerAddress[] {
  let list: readonly ServerSpec[];
  if (typeof specs === 'string') list = specs.trim() === '' ? [] : specs.split(',');
  else if (Array.isArray(specs)) list = specs;
  else list = [specs as ServerSpec];
  if (list.length === 0) throw new InvalidArgumentError('the server list is empty: give at least one server');

  const addresses: ServerAddress[] = [];
  const specByKey = new Map<string, ServerSpec>();
  for (const spec of list) {
    const address = parseServerAddress(spec);
    const earlier = specByKey.get(address.key);
    // Two entries for one server would give it two shares of the ring under one identity.
    if (earlier !== undefined) {
      throw new InvalidArgumentError(
        `server ${describe(spec)} duplicates ${describe(earlier)}: both are ${address.key}`,
        { server: address.key },
      );
    }
    specByKey.set(address.key, spec);
    addresses.push(address);
  }
  return addresses;
}

function parseString(spec: string): ServerAddress {
  const text = spec.trim();
  if (text.includes('://')) throw invalid(spec, 'expected "host[:port[:weight]]", not a URL');
  let host: string;
  let rest: string[];
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) throw invalid(spec, 'missing "]" after the IPv6 address');
    host = text.slice(1, close);
    const after = text.slice(close + 1);
    if (after !== '' && !after.startsWith(':')) throw invalid(spec, 'expected ":port" after "]"');
    rest = after === '' ? [] : after.slice(1).split(':');
    if (host === '') throw invalid(spec, 'the host is empty');
    if (!isIPv6(host)) throw invalid(spec, 'brackets are only for IPv6 addresses');
  } else {
    const parts = text.split(':');
    // 'fe80::1:11211' could be an address alone or an address and a port: refuse to guess.
    if (parts.length > 3 || isIPv6(text)) {
      throw invalid(spec, 'write an IPv6 address in brackets, e.g. "[::1]:11211"');
    }
    host = parts[0] ?? '';
    rest = parts.slice(1);
    if (host === '') throw invalid(spec, 'the host is empty');
    if (!HOST_NAME.test(host)) throw invalid(spec, 'the host may contain only letters, digits, ".", "-" and "_"');
  }
  if (rest.length > 2) throw invalid(spec, 'expected at most "host:port:weight"');

  const [portText, weightText] = rest;
  const port = portText === undefined ? DEFAULT_PORT : parseDigits(portText);
  const weight = weightText === undefined ? DEFAULT_WEIGHT : parseDigits(weightText);
  return build(spec, host, port, weight);
}

function parseObject(spec: { host: string; port?: number; weight?: number }): ServerAddress {
  let host = spec.host;
  // Accept '[::1]' too: it is how the address is written everywhere else.
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '') throw invalid(spec, 'the host is empty');
  if (host.includes(':') ? !isIPv6(host) : !HOST_NAME.test(host)) {
    throw invalid(spec, 'the host must be a host name, an IPv4 or an IPv6 address');
  }
  return build(spec, host, spec.port ?? DEFAULT_PORT, spec.weight ?? DEFAULT_WEIGHT);
}

/** Only plain decimal digits: `Number()` would accept ' 1', '0x10', '1e3' and ''. */
function parseDigits(text: string): number {
  return DIGITS.test(text) ? Number(text) : Number.NaN;
}

function build(spec: ServerSpec, host: string, port: unknown, weight: unknown): ServerAddress {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalid(spec, 'the port must be an integer from 1 to 65535');
  }
  if (typeof weight !== 'number' || !Number.isSafeInteger(weight) || weight < 1) {
    throw invalid(spec, 'the weight must be a positive integer');
  }
  const key = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return Object.freeze({ host, port, weight, key });
}

function invalid(spec: unknown, reason: string): InvalidArgumentError {
  return new InvalidArgumentError(`invalid server ${describe(spec)}: ${reason}`);
}

function describe(spec: unknown): string {
  if (typeof spec === 'string') return JSON.stringify(spec);
  try {
    return JSON.stringify(spec) ?? String(spec);
  } catch {
    return String(spec);
  }
}
