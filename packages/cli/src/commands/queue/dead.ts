/** `mcc queue dead <queue> [--limit N]`: lists the dead letters, oldest first. */
import { positiveNumber } from '../../args';
import { EXIT_CODES } from '../../cli-error';
import type { Command } from '../../command';
import { formatColumns, formatCount, formatValue } from '../../format';
import { helpText, JSON_HELP, SERVERS_HELP } from '../../help-text';
import { openCommand } from '../../open-command';
import { note, print, printJson } from '../../output';
import { withQueue } from './with-queue';

const NAME = 'queue dead';
const DEFAULT_LIMIT = 20;

export const queueDeadCommand: Command = {
  name: NAME,
  summary: 'list the dead letters (jobs given up after too many deliveries), oldest first',
  usage: helpText(
    'mcc queue dead <queue> [--limit N] [--servers LIST] [--json]',
    `Lists a work queue's dead letters, oldest first: each job's id, how many times it\nwas claimed, and its value. Read-only; mcc queue redrive puts them back.\nShows the first ${DEFAULT_LIMIT} unless --limit says otherwise. Exits with 1 when there are none.`,
    [`  --limit N        list at most N (default ${DEFAULT_LIMIT})`, SERVERS_HELP, JSON_HELP],
    ['mcc queue dead emails', 'mcc queue dead emails --limit 1000 --json | jq -r ".deadLetters[].id"'],
  ),
  async run(argv) {
    const opened = openCommand(this, argv, { limit: { type: 'string' } }, ['queue']);
    if (opened === null) return EXIT_CODES.ok;
    const { values, args: [name] } = opened;
    const limit = positiveNumber(NAME, 'limit', values.limit, DEFAULT_LIMIT, { integer: true });
    const target = opened.servers();
    const { total, pending, letters } = await withQueue(target, name, async (queue) => {
      // stats() first: a queue that does not exist is QueueNotFoundError, not its dead deque's error. Its
      // `dead` also counts jobs whose last delivery failed but that no sweep has moved yet: not listable.
      const { dead } = await queue.stats();
      const total = await queue.deadLetters.length();
      return { total, pending: Math.max(0, dead - total), letters: total === 0 ? [] : await queue.deadLetters.range(0, limit - 1) };
    });
    const pendingNote = pending === 0 ? '' : ` (and ${formatCount(pending)} on the way: a last delivery failed, the next sweep moves ${pending === 1 ? 'it' : 'them'} here)`;
    if (values.json) {
      printJson({ queue: name, total, pending, deadLetters: letters });
      return total === 0 ? EXIT_CODES.negative : EXIT_CODES.ok;
    }
    if (total === 0) {
      note(`queue ${name} has no dead letters${pendingNote}`);
      return EXIT_CODES.negative;
    }
    print(`queue ${name}: ${formatCount(total)} dead letter${total === 1 ? '' : 's'}${letters.length < total ? `, the oldest ${formatCount(letters.length)}` : ''}${pendingNote}`);
    const rows = [['id', 'deliveries', 'value'], ...letters.map((letter) => [letter.id, String(letter.deliveries), formatValue(letter.value)])];
    for (const line of formatColumns(rows)) print(`  ${line}`);
    return EXIT_CODES.ok;
  },
};
