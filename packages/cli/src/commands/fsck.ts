/** `mcc fsck <deque>`: walks a whole deque and reports every lost or damaged record. */
import { EXIT_CODES } from '../cli-error';
import type { Command } from '../command';
import { CORRUPTION_ADVICE, describeStorage, problemLines, readDequeReport, reportDocument } from '../deque-report';
import { formatCount } from '../format';
import { COLOCATE_HELP, helpText, JSON_HELP, SERVERS_HELP } from '../help-text';
import { openCommand } from '../open-command';
import { print, printJson } from '../output';

const NAME = 'fsck';

export const fsckCommand: Command = {
  name: NAME,
  summary: 'check a whole deque: every chunk, large value and the length',
  usage: helpText(
    'mcc fsck <deque> [--colocate] [--servers LIST] [--json]',
    "Walks a whole deque: reads its anchor, every chunk and every large value,\nchecks each chunk against the anchor and counts the values against the\nrecorded length. Reports each problem with the key involved. Read-only.\nExits with 0 when the deque is sound, 1 when it is corrupted.",
    [SERVERS_HELP, COLOCATE_HELP, JSON_HELP],
    ['mcc fsck jobs', 'mcc fsck jobs --json | jq -r ".problems[].key"'],
  ),
  async run(argv) {
    const opened = openCommand(this, argv, { colocate: { type: 'boolean', default: false } }, ['deque']);
    if (opened === null) return EXIT_CODES.ok;
    const { values, args: [name] } = opened;
    const target = opened.servers();
    const report = await readDequeReport(target, name, values.colocate, `fsck ${name}`);
    const ok = report.problems.length === 0;
    if (values.json) {
      printJson(reportDocument(report));
      return ok ? EXIT_CODES.ok : EXIT_CODES.negative;
    }
    print(`fsck ${name} (anchor ${report.anchorKey}): ${describeStorage(report)}`);
    print(`  length: the anchor records ${formatCount(report.length)}, walking found ${formatCount(report.counted)}`);
    if (ok) {
      print(`${name}: ok`);
      return EXIT_CODES.ok;
    }
    print('problems:');
    for (const line of problemLines(report)) print(line);
    print(`${name}: CORRUPTED, ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}: ${CORRUPTION_ADVICE}`);
    return EXIT_CODES.negative;
  },
};
