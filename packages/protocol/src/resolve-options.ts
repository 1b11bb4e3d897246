/**
 * Checks and completes the options of a {@link Client} at construction, so a
 * wrong option is an InvalidArgumentError there, not a TypeError later inside
 * a socket event handler.
 */
import { InvalidArgumentError } from './errors';
import { DEFAULT_CLIENT_OPTIONS, PROTOCOL_ENV, type ClientOptions, type Protocol, type ResolvedClientOptions } from './options';

export function resolveOptions(options: ClientOptions): ResolvedClientOptions {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError(`client options must be an object, got ${options === null ? 'null' : typeof options}`);
  const resolved = { ...DEFAULT_CLIENT_OPTIONS, protocol: protocolFromEnvironment() } as Record<string, unknown>;
  for (const [name, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if (!(name in DEFAULT_CLIENT_OPTIONS)) throw new InvalidArgumentError(`unknown client option "${name}"`);
    resolved[name] = value;
  }
  const result = resolved as ResolvedClientOptions & { tls: unknown; sasl: unknown; auth: unknown };
  for (const name of ['connectTimeoutMs', 'requestTimeoutMs', 'maxQueueLength'] as const) {
    const value = result[name];
    if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError(`option ${name} must be a positive number, got ${value}`);
  }
  if (typeof result.maxBytesInFlight !== 'number' || !(result.maxBytesInFlight > 0)) {
    throw new InvalidArgumentError(`option maxBytesInFlight must be a positive number of bytes (Infinity disables the bound), got ${String(result.maxBytesInFlight)}`);
  }
  if (!Number.isFinite(result.keepAliveMs) || result.keepAliveMs < 0) {
    throw new InvalidArgumentError(`option keepAliveMs must be a number >= 0 (0 disables keep-alive), got ${String(result.keepAliveMs)}`);
  }
  if (typeof result.noDelay !== 'boolean') throw new InvalidArgumentError(`option noDelay must be a boolean, got ${typeof result.noDelay}`);
  for (const name of ['reconnectStrategy', 'onBackgroundError'] as const) {
    if (typeof result[name] !== 'function') throw new InvalidArgumentError(`option ${name} must be a function, got ${typeof result[name]}`);
  }
  checkProtocol(result.protocol, 'option protocol');
  result.tls = resolveTls(result.tls);
  result.sasl = resolveSasl(result.sasl, result.protocol);
  result.auth = resolveAuth(result.auth, result.protocol);
  return result;
}

function checkProtocol(value: unknown, what: string): asserts value is Protocol {
  if (value !== 'binary' && value !== 'meta') throw new InvalidArgumentError(`${what} must be 'binary' or 'meta', got ${JSON.stringify(value)}`);
}

function protocolFromEnvironment(): Protocol {
  const value = process.env[PROTOCOL_ENV];
  if (value === undefined || value === '') return DEFAULT_CLIENT_OPTIONS.protocol;
  checkProtocol(value, `environment variable ${PROTOCOL_ENV}`);
  return value;
}

function resolveTls(value: unknown): ResolvedClientOptions['tls'] {
  if (value === false) return false;
  if (value === true) return {};
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
  throw new InvalidArgumentError(`option tls must be true, false or tls.connect options, got ${value === null ? 'null' : typeof value}`);
}

function resolveSasl(value: unknown, protocol: Protocol): ResolvedClientOptions['sasl'] {
  if (value === null) return null;
  const credentials = value as { username?: unknown; password?: unknown };
  if (typeof value !== 'object' || typeof credentials.username !== 'string' || typeof credentials.password !== 'string' || credentials.username === '') {
    throw new InvalidArgumentError('option sasl must be { username, password } with a non-empty username and a string password');
  }
  if (protocol === 'meta') {
    throw new InvalidArgumentError("option sasl needs protocol 'binary': memcached's SASL authentication exists on the binary protocol only (meta connections authenticate against memcached's authfile, -Y: the auth option)");
  }
  return { username: credentials.username, password: credentials.password };
}

/** One token for memcached's authfile check: no whitespace or control characters (it splits "user pass" at spaces). */
const AUTH_TOKEN = /^[^\u0000-\u0020\u007f]+$/;

function resolveAuth(value: unknown, protocol: Protocol): ResolvedClientOptions['auth'] {
  if (value === null) return null;
  const credentials = value as { username?: unknown; password?: unknown };
  if (typeof value !== 'object' || typeof credentials.username !== 'string' || typeof credentials.password !== 'string') {
    throw new InvalidArgumentError('option auth must be { username, password } (memcached -Y authfile credentials)');
  }
  if (!AUTH_TOKEN.test(credentials.username) || credentials.username.includes(':') || !AUTH_TOKEN.test(credentials.password)) {
    throw new InvalidArgumentError('option auth: username and password must be non-empty, without spaces or control characters, and the username without ":" (memcached -Y reads "user:password" lines and splits the credentials at a space)');
  }
  if (protocol !== 'meta') {
    throw new InvalidArgumentError("option auth needs protocol 'meta': memcached's authfile authentication (-Y) exists on the text protocol only (a -Y server answers binary requests in text); for SASL (-S) use the sasl option");
  }
  return { username: credentials.username, password: credentials.password };
}
