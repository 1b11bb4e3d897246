/** `mcc create <deque>`: creates an empty deque. */
import { Deque } from '@mcc/deque';
import { EXIT_CODES } from '../cli-error';
import type { Command } from '../command';
import { COLOCATE_HELP, helpText, JSON_HELP, SERVERS_HELP } from '../help-text';
import { openCommand } from '../open-command';
import { print, printJson } from '../output';
import { withStore } from '../store-session';

const NAME = 'create';

export const createCommand: Command = {
  name: NAME,
  summary: 'create an empty deque',
  usage: helpText(
    'mcc create <deque> [--colocate] [--servers LIST] [--json]',
    'Creates an empty deque. Fails (MCC_ERR_DEQUE_EXISTS) if the name is taken.',
    [SERVERS_HELP, COLOCATE_HELP, JSON_HELP],
    ['mcc create jobs', 'mcc create jobs --servers 10.0.0.1:11211,10.0.0.2:11211'],
  ),
  async run(argv) {
    const opened = openCommand(this, argv, { colocate: { type: 'boolean', default: false } }, ['deque']);
    if (opened === null) return EXIT_CODES.ok;
    const { values, args: [name] } = opened;
    const target = opened.servers();
    await withStore(target, (store) => Deque.create(store, name, { colocate: values.colocate }));
    if (values.json) printJson({ deque: name, created: true, colocate: values.colocate });
    else print(`created deque ${name}${values.colocate ? ' (colocated)' : ''}`);
    return EXIT_CODES.ok;
  },
};
