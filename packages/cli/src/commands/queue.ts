/**
 * `mcc queue <subcommand> <queue> …`: the work queues of @mcc/queue, for
 * operators — create, push, stats, the dead letters and their redrive. Each
 * subcommand is a file in queue/; this one only dispatches and lists them.
 */
import { usageError } from '../args';
import { EXIT_CODES } from '../cli-error';
import type { Command } from '../command';
import { print } from '../output';
import { QUEUE_SUBCOMMANDS } from './queue/index';

const NAME = 'queue';

function queueHelp(): string {
  const width = Math.max(...QUEUE_SUBCOMMANDS.map((command) => command.name.length));
  return [
    'Usage: mcc queue <subcommand> <queue> [arguments] [--servers LIST] [--json]',
    '',
    'Work queues (@mcc/queue): at-least-once jobs with leases, redelivery and dead letters.',
    '',
    'Subcommands:',
    ...QUEUE_SUBCOMMANDS.map((command) => `  ${command.name.slice(NAME.length + 1).padEnd(width - NAME.length - 1)}  ${command.summary}`),
    '',
    'Run `mcc queue <subcommand> --help` for its arguments and examples.',
    '',
  ].join('\n');
}

export const queueCommand: Command = {
  name: NAME,
  summary: "work queues: create, push, stats, dead letters, redrive (mcc queue --help)",
  usage: queueHelp(),
  async run(argv) {
    const [subcommand, ...rest] = argv;
    if (subcommand === undefined || subcommand === '--help' || subcommand === '-h') {
      // As `mcc` alone: the help on stderr and a usage exit when nothing was asked.
      if (subcommand === undefined) process.stderr.write(this.usage);
      else print(this.usage);
      return subcommand === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
    }
    const command = QUEUE_SUBCOMMANDS.find((entry) => entry.name === `${NAME} ${subcommand}`);
    if (command === undefined) {
      const names = QUEUE_SUBCOMMANDS.map((entry) => entry.name.slice(NAME.length + 1)).join(', ');
      throw usageError(`unknown subcommand ${JSON.stringify(subcommand)}; the subcommands are: ${names}`, NAME);
    }
    return command.run(rest);
  },
};
