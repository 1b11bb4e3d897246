/** `mcc queue stats <queue>`: how many jobs are ready, delayed, in flight and dead. */
import { EXIT_CODES } from '../../cli-error';
import type { Command } from '../../command';
import { formatColumns, formatCount } from '../../format';
import { helpText, JSON_HELP, SERVERS_HELP } from '../../help-text';
import { openCommand } from '../../open-command';
import { print, printJson } from '../../output';
import { withQueue } from './with-queue';

const NAME = 'queue stats';

export const queueStatsCommand: Command = {
  name: NAME,
  summary: 'show how many jobs are ready, delayed, in flight and dead',
  usage: helpText(
    'mcc queue stats <queue> [--servers LIST] [--json]',
    "Shows a work queue's counts: jobs ready to claim, delayed, in flight (claimed,\nnot yet settled) and dead letters. Each count is one read, not one instant\nacross all four. Read-only.",
    [SERVERS_HELP, JSON_HELP],
    ['mcc queue stats emails', 'mcc queue stats emails --json | jq .dead'],
  ),
  async run(argv) {
    const opened = openCommand(this, argv, {}, ['queue']);
    if (opened === null) return EXIT_CODES.ok;
    const { values, args: [name] } = opened;
    const target = opened.servers();
    const stats = await withQueue(target, name, (queue) => queue.stats());
    if (values.json) {
      printJson({ queue: name, ...stats });
      return EXIT_CODES.ok;
    }
    print(`queue ${name}`);
    const rows = [
      ['ready', formatCount(stats.ready)],
      ['delayed', formatCount(stats.delayed)],
      ['in flight', formatCount(stats.inFlight)],
      ['dead', formatCount(stats.dead) + (stats.dead === 0 ? '' : ` (mcc queue dead ${name} lists them)`)],
    ];
    for (const line of formatColumns(rows)) print(`  ${line}`);
    return EXIT_CODES.ok;
  },
};
