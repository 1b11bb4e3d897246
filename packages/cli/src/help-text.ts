/** Pieces of `--help` text shared by the commands. */

/** The `--servers` line, for commands that talk to memcached. */
export const SERVERS_HELP = '  --servers LIST   memcached servers, host:port[,host:port...]\n                   (default: $MCC_SERVERS, else 127.0.0.1:11211)';

/** The `--colocate` line, for commands on a deque. */
export const COLOCATE_HELP = '  --colocate       the deque was created with --colocate (all its records on one server)';

/** The `--json` line. */
export const JSON_HELP = '  --json           print the result as JSON on stdout';

/** The `--help` line. */
export const HELP_HELP = '  -h, --help       this text';

/** Builds a command's help: usage line(s), a description and the option lines. */
export function helpText(usage: string, description: string, optionLines: readonly string[], examples: readonly string[] = []): string {
  const parts = [`Usage: ${usage}`, '', description, '', 'Options:', ...optionLines, HELP_HELP];
  if (examples.length > 0) parts.push('', 'Examples:', ...examples.map((example) => `  ${example}`));
  return `${parts.join('\n')}\n`;
}
