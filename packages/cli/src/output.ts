/** Where commands write: results on stdout, messages for people on stderr. */
import { formatJson } from './format';

/** Writes a line (or lines) to stdout. */
export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Writes a `--json` document to stdout. */
export function printJson(document: unknown): void {
  process.stdout.write(formatJson(document));
}

/** Writes a message for people to stderr, prefixed `mcc: `. */
export function note(text: string): void {
  process.stderr.write(`mcc: ${text}\n`);
}
