/** `mcc queue push <queue> <json> [--delay-ms N]`: enqueues a job. */
import { parseJsonArgument, positiveNumber } from '../../args';
import { EXIT_CODES } from '../../cli-error';
import type { Command } from '../../command';
import { formatValue } from '../../format';
import { helpText, JSON_HELP, SERVERS_HELP } from '../../help-text';
import { openCommand } from '../../open-command';
import { print, printJson } from '../../output';
import { withQueue } from './with-queue';

const NAME = 'queue push';

export const queuePushCommand: Command = {
  name: NAME,
  summary: 'enqueue a JSON value as a job and print its id',
  usage: helpText(
    'mcc queue push <queue> <json> [--delay-ms N] [--servers LIST] [--json]',
    'Enqueues a JSON value as a job (at the back of the queue) and prints the job id.\nWith --delay-ms the job is not claimable before that many ms have passed.\nStrings need JSON quotes; the queue must exist (mcc queue create).',
    ['  --delay-ms N     make the job claimable only after N ms', SERVERS_HELP, JSON_HELP],
    [`mcc queue push emails '{"to":"a@example.com"}'`, `mcc queue push emails '"later"' --delay-ms 60000`],
  ),
  async run(argv) {
    const opened = openCommand(this, argv, { 'delay-ms': { type: 'string' } }, ['queue', 'json']);
    if (opened === null) return EXIT_CODES.ok;
    const { values, args: [name, text] } = opened;
    const value = parseJsonArgument(text, 'the job');
    const delayMs = positiveNumber(NAME, 'delay-ms', values['delay-ms'], 0, { integer: true });
    const target = opened.servers();
    const id = await withQueue(target, name, (queue) => queue.push(value, delayMs === 0 ? {} : { delayMs }));
    if (values.json) printJson({ queue: name, id, value, ...(delayMs === 0 ? {} : { delayMs }) });
    else print(`pushed job ${id} onto ${name}${delayMs === 0 ? '' : ` (claimable in ${delayMs} ms)`}: ${formatValue(value)}`);
    return EXIT_CODES.ok;
  },
};
