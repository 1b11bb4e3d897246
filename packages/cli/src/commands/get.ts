/** `mcc get <key>`: prints the value stored under a key, as it is stored. */
import { EXIT_CODES } from '../cli-error';
import type { Command } from '../command';
import { formatValue } from '../format';
import { helpText, JSON_HELP, SERVERS_HELP } from '../help-text';
import { openCommand } from '../open-command';
import { note, print, printJson } from '../output';
import { kindName, kindNote } from '../record-kinds';
import { withStore } from '../store-session';

const NAME = 'get';

export const getCommand: Command = {
  name: NAME,
  summary: 'print the value under a key as JSON (as stored; see mcas-get)',
  usage: helpText(
    'mcc get <key> [--servers LIST] [--json]',
    'Reads one item and prints its value as one line of JSON, exactly as stored:\na key taking part in an MCAS right now holds a reference record (mcc mcas-get\nresolves it). Exits with 1 when the key does not exist. With --json, also\nthe CAS id and the record kind.',
    [SERVERS_HELP, JSON_HELP],
    ['mcc get config', 'mcc get config --json | jq .cas'],
  ),
  async run(argv) {
    const opened = openCommand(this, argv, {}, ['key']);
    if (opened === null) return EXIT_CODES.ok;
    const { values, args: [key] } = opened;
    const target = opened.servers();
    const entry = await withStore(target, (store) => store.get(key));
    if (values.json) {
      printJson(entry === null ? { key, found: false } : { key, found: true, value: entry.value, cas: entry.cas.toString(), kind: kindName(entry.kind) });
    } else if (entry === null) {
      note(`no key ${key}`);
    } else {
      print(formatValue(entry.value));
      const explanation = kindNote(key, entry.kind);
      if (explanation !== undefined) note(explanation);
    }
    return entry === null ? EXIT_CODES.negative : EXIT_CODES.ok;
  },
};
