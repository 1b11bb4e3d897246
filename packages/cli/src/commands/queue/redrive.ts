/** `mcc queue redrive <queue> [--max N]`: moves dead letters back into the queue, atomically. */
import { positiveNumber } from '../../args';
import { EXIT_CODES } from '../../cli-error';
import type { Command } from '../../command';
import { formatCount } from '../../format';
import { helpText, JSON_HELP, SERVERS_HELP } from '../../help-text';
import { openCommand } from '../../open-command';
import { note, print, printJson } from '../../output';
import { withQueue } from './with-queue';

const NAME = 'queue redrive';

export const queueRedriveCommand: Command = {
  name: NAME,
  summary: 'move dead letters back to the queue as new jobs (atomically: none lost or doubled)',
  usage: helpText(
    'mcc queue redrive <queue> [--max N] [--servers LIST] [--json]',
    "Moves a work queue's dead letters, oldest first, back to the back of the queue,\neach as a new job (a new id, deliveries from 0): once the cause of the failures\nis fixed. Every move is atomic (WorkQueue.redrive): a crash or a lost reply\nnever loses or doubles a job. Prints how many moved, and with --json each\nnew id with the dead letter's. Exits with 1 when there was nothing to move.",
    ['  --max N          move at most N (default: all that are there when it starts)', SERVERS_HELP, JSON_HELP],
    ['mcc queue redrive emails', 'mcc queue redrive emails --max 10 --json'],
  ),
  async run(argv) {
    const opened = openCommand(this, argv, { max: { type: 'string' } }, ['queue']);
    if (opened === null) return EXIT_CODES.ok;
    const { values, args: [name] } = opened;
    const max = values.max === undefined ? undefined : positiveNumber(NAME, 'max', values.max, 1, { integer: true });
    const target = opened.servers();
    const moved = await withQueue(target, name, (queue) => queue.redrive(max === undefined ? {} : { max }));
    if (values.json) printJson({ queue: name, redriven: moved.length, jobs: moved });
    else if (moved.length === 0) note(`queue ${name} has no dead letters`);
    else print(`moved ${formatCount(moved.length)} dead letter${moved.length === 1 ? '' : 's'} back to ${name} as new jobs`);
    return moved.length === 0 ? EXIT_CODES.negative : EXIT_CODES.ok;
  },
};
