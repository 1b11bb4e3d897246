/** `mcc inspect <deque>`: a deque's length, both ends and status. */
import { EXIT_CODES } from '../cli-error';
import type { Command } from '../command';
import { readDequeReport, describeCombining, describeStorage, problemLines, reportDocument } from '../deque-report';
import { formatColumns, formatCount, formatValue } from '../format';
import { COLOCATE_HELP, helpText, JSON_HELP, SERVERS_HELP } from '../help-text';
import { openCommand } from '../open-command';
import { print, printJson } from '../output';

const NAME = 'inspect';
const SHOWN_PROBLEMS = 3;

export const inspectCommand: Command = {
  name: NAME,
  summary: "show a deque's length, both ends and status",
  usage: helpText(
    'mcc inspect <deque> [--colocate] [--servers LIST] [--json]',
    "Shows a deque's length, its leftmost and rightmost values, how it is stored\n(chunks, buffers, large values) and its status. Read-only. Exits with 1 if\nthe deque has problems (mcc fsck lists them all).",
    [SERVERS_HELP, COLOCATE_HELP, JSON_HELP],
    ['mcc inspect jobs', 'mcc inspect jobs --json | jq .length'],
  ),
  async run(argv) {
    const opened = openCommand(this, argv, { colocate: { type: 'boolean', default: false } }, ['deque']);
    if (opened === null) return EXIT_CODES.ok;
    const { values, args: [name] } = opened;
    const target = opened.servers();
    const report = await readDequeReport(target, name, values.colocate, `inspect ${name}`);
    const ok = report.problems.length === 0;
    if (values.json) {
      printJson(reportDocument(report));
      return ok ? EXIT_CODES.ok : EXIT_CODES.negative;
    }
    const empty = report.length === 0;
    const combining = describeCombining(report);
    const rows = [
      ['length', formatCount(report.length)],
      ['left end', empty ? '(empty)' : formatValue(report.left)],
      ['right end', empty ? '(empty)' : formatValue(report.right)],
      ['storage', `${describeStorage(report)}, sequence number ${report.sequence}`],
      ...(combining === null ? [] : [['combining', combining]]),
      ['status', ok ? 'ok' : `CORRUPTED: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'} (mcc fsck ${name} lists them)`],
    ];
    print(`deque ${name} (anchor ${report.anchorKey})`);
    for (const line of formatColumns(rows)) print(`  ${line}`);
    if (!ok) {
      const lines = problemLines(report);
      for (const line of lines.slice(0, SHOWN_PROBLEMS)) print(line);
      if (lines.length > SHOWN_PROBLEMS) print(`  … and ${lines.length - SHOWN_PROBLEMS} more`);
    }
    return ok ? EXIT_CODES.ok : EXIT_CODES.negative;
  },
};
