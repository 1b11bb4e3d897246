#!/usr/bin/env node
/**
 * `mcc`: the command-line tool of mcc. Dispatches to one command per file in
 * commands/, and turns whatever a command throws into its code, a one-line
 * fix and an exit code (see EXIT_CODES in cli-error.ts).
 *
 * @packageDocumentation
 */
import { usageError } from './args';
import { EXIT_CODES } from './cli-error';
import { COMMANDS, findCommand } from './commands';
import { describeError, formatErrorReport } from './format';
import { printJson } from './output';

/** Once the command is done, give stdout/stderr this long to drain before exiting even if a handle lingers. */
const EXIT_GRACE_MS = 2000;

const SERVERS_NOTE =
  'Servers: --servers host:port[,host:port...], else $MCC_SERVERS, else 127.0.0.1:11211\n(in a clone of the repository, `pnpm demo` runs the demo on a private memcached).\n' +
  'Reaching them: --protocol binary|meta, --tls (--tls-ca FILE, --tls-cert FILE, --tls-key FILE,\n--tls-servername NAME, --tls-insecure), --sasl-user NAME with the password in $MCC_SASL_PASSWORD\n(never on the command line), --auth-user NAME (memcached -Y, meta) with $MCC_AUTH_PASSWORD;\nevery command takes them. mcc doctor says which a server needs.';

function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  const lines = COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    'Usage: mcc <command> [arguments] [--servers LIST] [--json]',
    '',
    'mcc: lock-free distributed data structures on plain memcached.',
    '',
    'Commands:',
    ...lines,
    '',
    SERVERS_NOTE,
    'Run `mcc <command> --help` for a command\'s arguments and examples.',
    'Exit codes: 0 ok, 1 a check failed / empty / not found, 2 usage, 3 error, 130 interrupted.',
    '',
  ].join('\n');
}

/** Runs one command line; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    const command = topic === undefined ? undefined : findCommand(topic);
    const stream = name === undefined ? process.stderr : process.stdout;
    stream.write(command === undefined ? generalHelp() : command.usage);
    return name === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  const json = rest.includes('--json');
  try {
    const command = findCommand(name);
    if (command === undefined) throw usageError(`unknown command ${JSON.stringify(name)}; the commands are: ${COMMANDS.map((entry) => entry.name).join(', ')}`);
    return await command.run(rest);
  } catch (error) {
    const report = describeError(error);
    process.stderr.write(formatErrorReport(report));
    if (json) printJson({ ok: false, error: { code: report.code, message: report.message, ...(report.hint === undefined ? {} : { hint: report.hint }) } });
    return report.exitCode;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
    // Normally nothing is left and node exits now; never hang on a stray handle.
    setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
  });
}
