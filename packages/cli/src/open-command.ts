/**
 * The opening every command shares: parse its options (plus the common
 * --servers, --json, --help), print its help and stop when asked, check the
 * positional arguments, and resolve the servers when the command needs them.
 */
import { expectPositionals, parseCommandArgs, resolveServers, type OptionConfig, type ParsedCommand, type ServerSelection } from './args';
import type { Command } from './command';
import { print } from './output';

export interface OpenedCommand<T extends Record<string, OptionConfig>, N extends readonly string[]> {
  readonly values: ParsedCommand<T>['values'];
  /** The positional arguments, one per name given to {@link openCommand}. */
  readonly args: { [K in keyof N]: string };
  /** `--servers`, else MCC_SERVERS, else 127.0.0.1:11211 (checked when asked for: not every command talks to servers). */
  servers(): ServerSelection;
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
  const { values, positionals } = parseCommandArgs(command.name, argv, options);
  if (values.help) {
    print(command.usage);
    return null;
  }
  const args = expectPositionals(command.name, positionals, positionalNames) as { [K in keyof N]: string };
  return { values, args, servers: () => resolveServers(values.servers) };
}
