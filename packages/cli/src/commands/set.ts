/**
 * `mcc set <key> <json>`: stores a JSON value under a key.
 *
 * It writes through the MCAS layer: it reads the key with `mcasGet` (which
 * completes any MCAS in flight there) and replaces exactly what it read with
 * a one-entry `mcas` (a plain CAS), or `add`s a missing key, retrying when
 * someone else wrote in between. A plain `set` could overwrite a reference
 * an MCAS in flight had put there, tearing that MCAS.
 */
import { mcas, mcasGet, type Store } from '@mcc/mcas';
import { parseJsonArgument } from '../args';
import { CliError, EXIT_CODES } from '../cli-error';
import type { Command } from '../command';
import { formatValue } from '../format';
import { helpText, JSON_HELP, SERVERS_HELP } from '../help-text';
import { openCommand } from '../open-command';
import { print, printJson } from '../output';
import { kindName } from '../record-kinds';
import { withStore } from '../store-session';

const NAME = 'set';
const MAX_ATTEMPTS = 100;

/** Writes `value` over whatever `key` holds. */
async function setThroughMcas(store: Store, key: string, value: unknown): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await mcasGet(store, key);
    if (current === null) {
      const added = await store.add(key, value);
      if (added !== null) return;
      continue;
    }
    if (current.kind !== 0) {
      throw new CliError('MCC_ERR_CLI_NOT_A_VALUE', `${key} holds a ${kindName(current.kind)} record, not a user value; mcc set does not overwrite it`, {
        hint: current.kind === 3 ? `it is a deque: use mcc push/pop, or pick another key` : 'pick another key',
      });
    }
    if (await mcas(store, [[current, value]])) return;
  }
  throw new CliError('MCC_ERR_CLI_CONTENDED', `${key} changed under every one of ${MAX_ATTEMPTS} attempts to set it`, { hint: 'the key is very busy: try again' });
}

export const setCommand: Command = {
  name: NAME,
  summary: 'store a JSON value under a key (safe with MCAS in flight)',
  usage: helpText(
    'mcc set <key> <json> [--servers LIST] [--json]',
    'Stores a JSON value under a key, as MessagePack (readable by every mcc\nclient). It writes through the MCAS layer, so an MCAS in flight on the key is\ncompleted first, never torn. Refuses to overwrite a deque or MCAS record.',
    [SERVERS_HELP, JSON_HELP],
    [`mcc set config '{"workers":4}'`, 'mcc set account:1 100', `mcc set greeting '"hello"'`],
  ),
  async run(argv) {
    const opened = openCommand(this, argv, {}, ['key', 'json']);
    if (opened === null) return EXIT_CODES.ok;
    const { values, args: [key, text] } = opened;
    const value = parseJsonArgument(text, 'the value');
    const target = opened.servers();
    await withStore(target, (store) => setThroughMcas(store, key, value));
    if (values.json) printJson({ key, value });
    else print(`set ${key} = ${formatValue(value)}`);
    return EXIT_CODES.ok;
  },
};
