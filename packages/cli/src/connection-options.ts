/**
 * How every command reaches its servers besides their addresses: the wire
 * protocol, TLS and authentication, from the common options (`--protocol`,
 * `--tls…`, `--sasl-user`, `--auth-user`) and the environment. The result is plain data (PEM text,
 * not buffers), so the demo can hand it to its worker processes as is.
 */
import { readFileSync } from 'node:fs';
import type * as tls from 'node:tls';
import { PROTOCOL_ENV, type AuthOptions, type Protocol, type SaslOptions } from '@mcc/protocol';
import { usageError } from './args';

/** The environment variable holding the SASL password for `--sasl-user`: never a command-line argument (it would show in `ps` and shell history). */
export const SASL_PASSWORD_ENV = 'MCC_SASL_PASSWORD';
/** The environment variable holding the authfile password for `--auth-user` (never a command-line argument either). */
export const AUTH_PASSWORD_ENV = 'MCC_AUTH_PASSWORD';

/** The parse configuration of the connection options (part of every command's common options). */
export const CONNECTION_OPTIONS = {
  protocol: { type: 'string' },
  tls: { type: 'boolean', default: false },
  'tls-ca': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-servername': { type: 'string' },
  'tls-insecure': { type: 'boolean', default: false },
  'sasl-user': { type: 'string' },
  'auth-user': { type: 'string' },
} as const;

/** The parsed values of {@link CONNECTION_OPTIONS}. */
export interface ConnectionValues {
  readonly protocol: string | undefined;
  readonly tls: boolean;
  readonly 'tls-ca': string | undefined;
  readonly 'tls-cert': string | undefined;
  readonly 'tls-key': string | undefined;
  readonly 'tls-servername': string | undefined;
  readonly 'tls-insecure': boolean;
  readonly 'sasl-user': string | undefined;
  readonly 'auth-user': string | undefined;
}

/** Where the protocol came from: `--protocol`, MCC_PROTOCOL, or the default (binary). */
export type ProtocolSource = 'flag' | 'env' | 'default';

/** The client options a command's connections use (JSON-serialisable). */
export interface ConnectionSettings {
  readonly protocol: Protocol;
  readonly protocolSource: ProtocolSource;
  /** false: plain TCP; else the `tls.connect` options (CA, certificate and key as PEM text). */
  readonly tls: false | tls.ConnectionOptions;
  readonly sasl?: SaslOptions;
  /** memcached's authfile credentials (`-Y`; meta only). */
  readonly auth?: AuthOptions;
}

function checkProtocol(text: string, origin: string, command: string): Protocol {
  if (text === 'binary' || text === 'meta') return text;
  throw usageError(`${origin} must be binary or meta, got ${JSON.stringify(text)}`, command);
}

/** Reads a PEM file named by an option; a missing file or one without a PEM block is a usage error. */
function readPem(command: string, option: string, file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw usageError(`--${option} ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, command);
  }
  if (!text.includes('-----BEGIN ')) throw usageError(`--${option} ${file} holds no PEM block (-----BEGIN …): give a PEM file`, command);
  return text;
}

function tlsOptions(command: string, values: ConnectionValues): ConnectionSettings['tls'] {
  const { 'tls-ca': ca, 'tls-cert': cert, 'tls-key': key, 'tls-servername': servername, 'tls-insecure': insecure } = values;
  // Any --tls-… option asks for TLS: --tls alone is for servers the system's CAs trust.
  if (!values.tls && ca === undefined && cert === undefined && key === undefined && servername === undefined && !insecure) return false;
  if ((cert === undefined) !== (key === undefined)) throw usageError('--tls-cert and --tls-key go together (the client certificate and its private key)', command);
  if (servername === '') throw usageError('--tls-servername must not be empty', command);
  return {
    ...(ca === undefined ? {} : { ca: readPem(command, 'tls-ca', ca) }),
    ...(cert === undefined ? {} : { cert: readPem(command, 'tls-cert', cert) }),
    ...(key === undefined ? {} : { key: readPem(command, 'tls-key', key) }),
    ...(servername === undefined ? {} : { servername }),
    ...(insecure ? { rejectUnauthorized: false } : {}),
  };
}

/**
 * The connection settings of one command line.
 * @throws CliError (usage) for an unknown protocol, unreadable certificate files, `--sasl-user` without a password in MCC_SASL_PASSWORD or with the meta protocol
 */
export function resolveConnection(command: string, values: ConnectionValues, env: NodeJS.ProcessEnv = process.env): ConnectionSettings {
  const fromEnv = env[PROTOCOL_ENV];
  const protocolSource: ProtocolSource = values.protocol !== undefined ? 'flag' : fromEnv !== undefined && fromEnv !== '' ? 'env' : 'default';
  const protocol =
    protocolSource === 'flag' ? checkProtocol(values.protocol ?? '', '--protocol', command)
    : protocolSource === 'env' ? checkProtocol(fromEnv ?? '', PROTOCOL_ENV, command)
    : 'binary';
  const user = values['sasl-user'];
  let sasl: SaslOptions | undefined;
  if (user !== undefined) {
    if (user === '') throw usageError('--sasl-user must not be empty', command);
    if (protocol === 'meta') {
      const why = protocolSource === 'env' ? `${PROTOCOL_ENV}=meta chooses meta: pass --protocol binary` : 'drop --protocol meta';
      throw usageError(`--sasl-user needs the binary protocol (memcached's SASL exists on binary only), but ${why}`, command);
    }
    const password = env[SASL_PASSWORD_ENV];
    if (password === undefined || password === '') {
      throw usageError(`--sasl-user ${user}: set the password in the environment variable ${SASL_PASSWORD_ENV} (it is never taken from the command line)`, command);
    }
    sasl = { username: user, password };
  }
  const auth = authOptions(command, values, protocol, protocolSource, env);
  return { protocol, protocolSource, tls: tlsOptions(command, values), ...(sasl === undefined ? {} : { sasl }), ...(auth === undefined ? {} : { auth }) };
}

/** `--auth-user` (memcached -Y): meta only, the password from {@link AUTH_PASSWORD_ENV}. */
function authOptions(command: string, values: ConnectionValues, protocol: Protocol, source: ProtocolSource, env: NodeJS.ProcessEnv): AuthOptions | undefined {
  const user = values['auth-user'];
  if (user === undefined) return undefined;
  if (user === '') throw usageError('--auth-user must not be empty', command);
  if (protocol !== 'meta') {
    const why = source === 'env' ? `${PROTOCOL_ENV}=binary chooses binary` : source === 'flag' ? 'drop --protocol binary' : 'binary is the default';
    throw usageError(`--auth-user needs the meta protocol (memcached's authfile, -Y, exists on the text protocol only): pass --protocol meta (${why})`, command);
  }
  const password = env[AUTH_PASSWORD_ENV];
  if (password === undefined || password === '') {
    throw usageError(`--auth-user ${user}: set the password in the environment variable ${AUTH_PASSWORD_ENV} (it is never taken from the command line)`, command);
  }
  return { username: user, password };
}

/** The `@mcc/protocol` client options of these settings. */
export function clientOptionsOf(settings: ConnectionSettings): { protocol: Protocol; tls?: tls.ConnectionOptions; sasl?: SaslOptions; auth?: AuthOptions } {
  return {
    protocol: settings.protocol,
    ...(settings.tls === false ? {} : { tls: settings.tls }),
    ...(settings.sasl === undefined ? {} : { sasl: settings.sasl }),
    ...(settings.auth === undefined ? {} : { auth: settings.auth }),
  };
}
