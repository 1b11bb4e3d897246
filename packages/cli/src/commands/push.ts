/** `mcc push <deque> <json> [--left]`: appends a JSON value to a deque. */
import { Deque } from '@mcc/deque';
import { parseJsonArgument } from '../args';
import { EXIT_CODES } from '../cli-error';
import type { Command } from '../command';
import { formatValue } from '../format';
import { COLOCATE_HELP, helpText, JSON_HELP, SERVERS_HELP } from '../help-text';
import { openCommand } from '../open-command';
import { print, printJson } from '../output';
import { withStore } from '../store-session';

const NAME = 'push';

export const pushCommand: Command = {
  name: NAME,
  summary: 'push a JSON value onto a deque (right end; --left for the left)',
  usage: helpText(
    'mcc push <deque> <json> [--left] [--colocate] [--servers LIST] [--json]',
    'Pushes a JSON value onto the right end of a deque (append), or the left end\nwith --left (appendLeft). Strings need JSON quotes. null is a value; the\ndeque must exist (mcc create).',
    ['  --left           push onto the left end', SERVERS_HELP, COLOCATE_HELP, JSON_HELP],
    [`mcc push jobs '{"id":1,"task":"resize"}'`, `mcc push jobs '"urgent"' --left`, 'mcc push jobs 42 --json'],
  ),
  async run(argv) {
    const opened = openCommand(this, argv, {
      left: { type: 'boolean', default: false },
      colocate: { type: 'boolean', default: false },
    }, ['deque', 'json']);
    if (opened === null) return EXIT_CODES.ok;
    const { values, args: [name, text] } = opened;
    const value = parseJsonArgument(text, 'the value');
    const target = opened.servers();
    const side = values.left ? 'left' : 'right';
    const length = await withStore(target, async (store) => {
      const deque = Deque.bind(store, name, { colocate: values.colocate });
      await (values.left ? deque.appendLeft(value) : deque.append(value));
      return deque.length();
    });
    if (values.json) printJson({ deque: name, side, value, length });
    else print(`pushed ${formatValue(value)} onto the ${side} of ${name} (length now ${length})`);
    return EXIT_CODES.ok;
  },
};
