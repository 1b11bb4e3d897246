/** `mcc mcas-get <key>`: prints the value of a key, completing any MCAS in flight on it first. */
import { mcasGet } from '@mcc/mcas';
import { EXIT_CODES } from '../cli-error';
import type { Command } from '../command';
import { formatValue } from '../format';
import { helpText, JSON_HELP, SERVERS_HELP } from '../help-text';
import { openCommand } from '../open-command';
import { note, print, printJson } from '../output';
import { kindName } from '../record-kinds';
import { withStore } from '../store-session';

const NAME = 'mcas-get';

export const mcasGetCommand: Command = {
  name: NAME,
  summary: 'print the value under a key as JSON, helping any MCAS in flight on it',
  usage: helpText(
    'mcc mcas-get <key> [--servers LIST] [--json]',
    'Reads a key through the MCAS layer (mcasGet): if an MCAS is in flight on it\n(or was abandoned by a client that died), it is completed first, so what\nprints is the logical value. Exits with 1 when the key does not exist.',
    [SERVERS_HELP, JSON_HELP],
    ['mcc mcas-get account:1', 'mcc mcas-get account:1 --json'],
  ),
  async run(argv) {
    const opened = openCommand(this, argv, {}, ['key']);
    if (opened === null) return EXIT_CODES.ok;
    const { values, args: [key] } = opened;
    const target = opened.servers();
    const entry = await withStore(target, (store) => mcasGet(store, key));
    if (values.json) {
      printJson(entry === null ? { key, found: false } : { key, found: true, value: entry.value, cas: entry.cas.toString(), kind: kindName(entry.kind) });
    } else if (entry === null) {
      note(`no key ${key}`);
    } else {
      print(formatValue(entry.value));
    }
    return entry === null ? EXIT_CODES.negative : EXIT_CODES.ok;
  },
};
