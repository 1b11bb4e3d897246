/** `mcc pop <deque> [--left]`: removes and prints a value of a deque. */
import { Deque } from '@mcc/deque';
import { EXIT_CODES } from '../cli-error';
import type { Command } from '../command';
import { formatValue } from '../format';
import { COLOCATE_HELP, helpText, JSON_HELP, SERVERS_HELP } from '../help-text';
import { openCommand } from '../open-command';
import { note, print, printJson } from '../output';
import { withStore } from '../store-session';

const NAME = 'pop';

export const popCommand: Command = {
  name: NAME,
  summary: 'pop a value from a deque and print it as JSON (right end; --left for the left)',
  usage: helpText(
    'mcc pop <deque> [--left] [--colocate] [--servers LIST] [--json]',
    'Removes the rightmost value of a deque (pop), or the leftmost with --left\n(popLeft), and prints it as one line of JSON. When the deque is empty it\nprints nothing (with --json: {"empty": true, …}) and exits with 1.\nA FIFO queue is push + pop --left.',
    ['  --left           pop from the left end', SERVERS_HELP, COLOCATE_HELP, JSON_HELP],
    ['mcc pop jobs --left', 'while value=$(mcc pop jobs --left); do echo "$value"; done'],
  ),
  async run(argv) {
    const opened = openCommand(this, argv, {
      left: { type: 'boolean', default: false },
      colocate: { type: 'boolean', default: false },
    }, ['deque']);
    if (opened === null) return EXIT_CODES.ok;
    const { values, args: [name] } = opened;
    const target = opened.servers();
    const side = values.left ? 'left' : 'right';
    const value = await withStore(target, (store) => {
      const deque = Deque.bind(store, name, { colocate: values.colocate });
      return values.left ? deque.popLeft() : deque.pop();
    });
    const empty = value === undefined;
    if (values.json) printJson(empty ? { deque: name, side, empty } : { deque: name, side, empty, value });
    else if (empty) note(`deque ${name} is empty`);
    else print(formatValue(value));
    return empty ? EXIT_CODES.negative : EXIT_CODES.ok;
  },
};
