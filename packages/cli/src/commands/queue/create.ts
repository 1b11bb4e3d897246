/** `mcc queue create <queue> [--lease-ms N] [--max-deliveries N]`: creates an empty work queue. */
import { WorkQueue } from '@mcc/queue';
import { positiveNumber } from '../../args';
import { EXIT_CODES } from '../../cli-error';
import type { Command } from '../../command';
import { helpText, JSON_HELP, SERVERS_HELP } from '../../help-text';
import { openCommand } from '../../open-command';
import { print, printJson } from '../../output';
import { withStore } from '../../store-session';

const NAME = 'queue create';

export const queueCreateCommand: Command = {
  name: NAME,
  summary: 'create an empty work queue',
  usage: helpText(
    'mcc queue create <queue> [--lease-ms N] [--max-deliveries N] [--servers LIST] [--json]',
    'Creates an empty work queue and stores its settings. Fails (MCC_ERR_QUEUE_EXISTS)\nif the name is taken.',
    [
      '  --lease-ms N     how long a claim holds a job before another consumer may take\n                   it over (default 30000)',
      '  --max-deliveries N  claims a job may have before it becomes a dead letter (default 5)',
      SERVERS_HELP,
      JSON_HELP,
    ],
    ['mcc queue create emails', 'mcc queue create emails --lease-ms 60000 --max-deliveries 3'],
  ),
  async run(argv) {
    const opened = openCommand(this, argv, { 'lease-ms': { type: 'string' }, 'max-deliveries': { type: 'string' } }, ['queue']);
    if (opened === null) return EXIT_CODES.ok;
    const { values, args: [name] } = opened;
    // The library's defaults and upper bounds apply (an out-of-range value is its InvalidArgumentError).
    const leaseMs = positiveNumber(NAME, 'lease-ms', values['lease-ms'], 30000, { integer: true });
    const maxDeliveries = positiveNumber(NAME, 'max-deliveries', values['max-deliveries'], 5, { integer: true });
    const target = opened.servers();
    await withStore(target, (store) => WorkQueue.create(store, name, { leaseMs, maxDeliveries }));
    if (values.json) printJson({ queue: name, created: true, leaseMs, maxDeliveries });
    else print(`created queue ${name} (lease ${leaseMs} ms, ${maxDeliveries} deliveries at most)`);
    return EXIT_CODES.ok;
  },
};
