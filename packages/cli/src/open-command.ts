/**
 * The opening every command shares: parse its options (plus the common
 * --servers, --json, --help and the connection options --protocol, --tls…,
 * --sasl-user), print its help and stop when asked, check the positional
 * arguments, and resolve the servers and how to reach them when the command
 * needs them.
 */
import { expectPositionals, parseCommandArgs, resolveServers, type OptionConfig, type ParsedCommand, type ServerSelection } from './args';
import type { Command } from './command';
import { CONNECTION_OPTIONS, resolveConnection, type ConnectionSettings, type ConnectionValues } from './connection-options';
import { print } from './output';

/** The servers of a command and how its clients reach them. */
export interface ServerTarget extends ServerSelection {
  readonly connection: ConnectionSettings;
}

type WithConnection<T> = typeof CONNECTION_OPTIONS & T;

export interface OpenedCommand<T extends Record<string, OptionConfig>, N extends readonly string[]> {
  readonly values: ParsedCommand<WithConnection<T>>['values'];
  /** The positional arguments, one per name given to {@link openCommand}. */
  readonly args: { [K in keyof N]: string };
  /**
   * `--servers`, else MCC_SERVERS, else 127.0.0.1:11211, with the connection
   * settings (checked when asked for: not every command talks to servers).
   * @throws CliError (usage) for a bad server list or connection option
   */
  servers(): ServerTarget;
}

/**
 * Opens `command` on `argv`: `null` when `--help` was asked for (and printed).
 * @throws CliError (usage) on unknown options, a missing option value, or the wrong number of positionals
 */
export function openCommand<T extends Record<string, OptionConfig>, const N extends readonly string[]>(
  command: Command,
  argv: readonly string[],
  options: T,
  positionalNames: N,
): OpenedCommand<T, N> | null {
  const { values, positionals } = parseCommandArgs(command.name, argv, { ...options, ...CONNECTION_OPTIONS } as WithConnection<T>);
  if (values.help) {
    print(command.usage);
    return null;
  }
  const args = expectPositionals(command.name, positionals, positionalNames) as { [K in keyof N]: string };
  return { values, args, servers: () => ({ ...resolveServers(values.servers), connection: resolveConnection(command.name, values as unknown as ConnectionValues) }) };
}
