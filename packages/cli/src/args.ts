/**
 * Command-line parsing shared by every command: node's `util.parseArgs`
 * (strict: an unknown option is a usage error) plus the options every
 * command accepts, the server list, and JSON arguments.
 */
import { parseArgs } from 'node:util';
import { parseServerList } from '@mcc/protocol';
import { CliError, EXIT_CODES } from './cli-error';

/** The environment variable with the servers when --servers is not given: 'host:port,host:port'. */
export const SERVERS_ENV = 'MCC_SERVERS';

/** Where the server list of a command came from. */
export type ServersSource = 'flag' | 'env' | 'default';

export interface ServerSelection {
  readonly servers: string[];
  readonly source: ServersSource;
}

/** What commands other than `demo` use when neither `--servers` nor MCC_SERVERS is given. */
export const DEFAULT_SERVER = '127.0.0.1:11211';

/** Options every command accepts. */
const COMMON_OPTIONS = {
  servers: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** One option of a command. Boolean options default to false. */
export type OptionConfig = { type: 'string'; short?: string } | { type: 'boolean'; short?: string; default: false };

/** The parsed command line: common options, the command's own, and the positional arguments. */
export interface ParsedCommand<T extends Record<string, OptionConfig>> {
  readonly values: { servers: string | undefined; json: boolean; help: boolean } & { [K in keyof T]: T[K]['type'] extends 'boolean' ? boolean : string | undefined };
  readonly positionals: string[];
}

/** A usage error: bad arguments. Exit code 2, with a pointer to the command's `--help`. */
export function usageError(message: string, command?: string): CliError {
  return new CliError('MCC_ERR_CLI_USAGE', message, { exitCode: EXIT_CODES.usage, hint: `run: mcc ${command ?? ''}${command === undefined ? '' : ' '}--help` });
}

/**
 * Parses `argv` of one command: the common options plus `options`.
 * @throws CliError (usage) on an unknown option or a missing option value
 */
export function parseCommandArgs<T extends Record<string, OptionConfig>>(command: string, argv: readonly string[], options: T): ParsedCommand<T> {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
    return { values: values as unknown as ParsedCommand<T>['values'], positionals };
  } catch (error) {
    throw usageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''), command);
  }
}

/**
 * Checks the number of positional arguments and returns them.
 * @throws CliError (usage) naming what is missing or extra
 */
export function expectPositionals(command: string, positionals: readonly string[], names: readonly string[]): string[] {
  if (positionals.length < names.length) {
    const missing = names.slice(positionals.length).map((name) => `<${name}>`).join(' ');
    throw usageError(`missing ${missing}`, command);
  }
  if (positionals.length > names.length) {
    throw usageError(`unexpected argument ${JSON.stringify(positionals[names.length])}`, command);
  }
  return [...positionals];
}

/**
 * A comma-separated server list, checked by the library's own parser (what
 * `connect` accepts: `host[:port[:weight]]`, IPv6 in brackets, no
 * duplicates), with its messages. The entries are passed on as written.
 */
export function parseServers(text: string, origin: string): string[] {
  const servers = text.split(',').map((entry) => entry.trim());
  if (servers.length === 1 && servers[0] === '') throw usageError(`${origin} lists no server`);
  try {
    parseServerList(servers);
  } catch (error) {
    throw usageError(`${origin}: ${(error as Error).message}`);
  }
  return servers;
}

/**
 * The servers named by `--servers` or else MCC_SERVERS, or null when neither
 * is given (the demo then starts its own memcached).
 */
export function explicitServers(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): ServerSelection | null {
  if (flag !== undefined) return { servers: parseServers(flag, '--servers'), source: 'flag' };
  const fromEnv = env[SERVERS_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { servers: parseServers(fromEnv, SERVERS_ENV), source: 'env' };
  return null;
}

/** `--servers`, else MCC_SERVERS, else {@link DEFAULT_SERVER}. */
export function resolveServers(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): ServerSelection {
  return explicitServers(flag, env) ?? { servers: [DEFAULT_SERVER], source: 'default' };
}

/**
 * Parses a JSON argument (a value to push or set).
 * @throws CliError (usage) with an example when it is not JSON
 */
export function parseJsonArgument(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError('MCC_ERR_CLI_INVALID_JSON', `${what} is not valid JSON (${(error as Error).message}): ${JSON.stringify(text)}`, {
      exitCode: EXIT_CODES.usage,
    });
  }
}

/**
 * A positive number option.
 * @throws CliError (usage)
 */
export function positiveNumber(command: string, name: string, text: string | undefined, fallback: number, options: { integer?: boolean; max?: number } = {}): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  const max = options.max ?? Infinity;
  if (!Number.isFinite(value) || value <= 0 || value > max || (options.integer === true && !Number.isInteger(value))) {
    const kind = options.integer === true ? 'a positive whole number' : 'a positive number';
    throw usageError(`--${name} must be ${kind}${max === Infinity ? '' : ` up to ${max}`}, got ${JSON.stringify(text)}`, command);
  }
  return value;
}
