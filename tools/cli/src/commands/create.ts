/** `mcc create <deque>`: creates an empty deque. */
import { Deque } from '@mcc/deque';
import { expectPositionals, parseCommandArgs, resolveServers } from '../args';
import { EXIT_CODES } from '../cli-error';
import type { Command } from '../command';
import { COLOCATE_HELP, helpText, JSON_HELP, SERVERS_HELP } from '../help-text';
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
    const { values, positionals } = parseCommandArgs(NAME, argv, { colocate: { type: 'boolean', default: false } });
    if (values.help) {
      print(this.usage);
      return EXIT_CODES.ok;
    }
    const [name] = expectPositionals(NAME, positionals, ['deque']) as [string];
    const { servers } = resolveServers(values.servers);
    await withStore(servers, (store) => Deque.create(store, name, { colocate: values.colocate }));
    if (values.json) printJson({ deque: name, created: true, colocate: values.colocate });
    else print(`created deque ${name}${values.colocate ? ' (colocated)' : ''}`);
    return EXIT_CODES.ok;
  },
};
