/**
 * How the CLI prints things: stored values as JSON, errors with their code
 * and a one-line fix, and numbers for people.
 */
import { CliError, EXIT_CODES } from './cli-error';
import { hintFor } from './error-hints';

/**
 * JSON replacer for what MessagePack can hold but JSON cannot: a bigint
 * becomes a number when exact, else a string; bytes become `{"$base64": …}`;
 * a Map becomes an object; `undefined` becomes null. It looks at the
 * holder's original value, because `Buffer#toJSON` runs before a replacer.
 */
function toJsonValue(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  if (original instanceof Uint8Array) {
    return { $base64: Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64') };
  }
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  if (value === undefined) return null;
  return value;
}

/** A stored value as one line of JSON. */
export function formatValue(value: unknown): string {
  return JSON.stringify(value, toJsonValue) ?? 'null';
}

/** A `--json` document: pretty-printed, with the same conversions as {@link formatValue}. */
export function formatJson(document: unknown): string {
  return `${JSON.stringify(document, toJsonValue, 2)}\n`;
}

/** What the CLI reports about a failure. */
export interface ErrorReport {
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
  readonly exitCode: number;
}

function field(error: object, name: string): string | undefined {
  const value = (error as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** The code, message, fix and exit code of anything thrown. */
export function describeError(error: unknown): ErrorReport {
  if (error instanceof CliError) {
    return { code: error.code, message: error.message, exitCode: error.exitCode, ...(error.hint === undefined ? {} : { hint: error.hint }) };
  }
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('MCC_ERR_')) {
    const code = (error as { code: string }).code;
    const hint = hintFor({
      code,
      server: field(error, 'server'),
      key: field(error, 'key'),
      deque: field(error, 'deque'),
      queue: field(error, 'queue'),
      descriptorKey: field(error, 'descriptorKey'),
      value: (error as { value?: unknown }).value,
    });
    return { code, message: (error as Error).message ?? String(error), exitCode: EXIT_CODES.error, ...(hint === undefined ? {} : { hint }) };
  }
  const message = error instanceof Error ? error.stack ?? error.message : String(error);
  return { code: 'MCC_ERR_UNEXPECTED', message, exitCode: EXIT_CODES.error, hint: 'this is a bug in mcc: please report it with the output above' };
}

/** The report as text for stderr: `mcc: MCC_ERR_X: message` and `  fix: …`. */
export function formatErrorReport(report: ErrorReport): string {
  return `mcc: ${report.code}: ${report.message}\n${report.hint === undefined ? '' : `  fix: ${report.hint}\n`}`;
}

/** 1234567 → "1,234,567". */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** A rate or ratio with a sensible number of digits. */
export function formatNumber(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return '-';
  return value >= 100 ? formatCount(value) : value.toFixed(digits);
}

/** Bytes as KiB/MiB/GiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

/** Pads cells into aligned columns (left-aligned text, right-aligned when `right[i]`). */
export function formatColumns(rows: readonly (readonly string[])[], right: readonly boolean[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, index) => (right[index] === true ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0))).join('  ').trimEnd());
}
