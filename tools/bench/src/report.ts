/**
 * Text output: tables and number formats.
 *
 * Tables are Markdown pipe tables padded to aligned columns, so the same text
 * reads well in a terminal and pastes unchanged into BENCHMARKS.md.
 */
import type { SuiteReport } from './suite';

export interface Column {
  readonly header: string;
  /** Numbers right-aligned (the default), labels left. */
  readonly align?: 'left' | 'right';
}

export interface Table {
  readonly title: string;
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly string[])[];
}

/** A Markdown table whose columns line up in plain text too. */
export function formatTable(table: Table): string {
  const widths = table.columns.map((column, index) =>
    Math.max(column.header.length, ...table.rows.map((row) => (row[index] ?? '').length), 3),
  );
  const pad = (text: string, index: number): string => {
    const width = widths[index]!;
    return table.columns[index]?.align === 'left' ? text.padEnd(width) : text.padStart(width);
  };
  const line = (cells: readonly string[]): string =>
    `| ${table.columns.map((_, index) => pad(cells[index] ?? '', index)).join(' | ')} |`;
  const rule = `|${table.columns
    .map((column, index) => {
      const dashes = '-'.repeat(widths[index]!);
      return column.align === 'left' ? `:${dashes}-` : `-${dashes}:`;
    })
    .join('|')}|`;
  return [line(table.columns.map((column) => column.header)), rule, ...table.rows.map(line)].join('\n');
}

/** A suite's tables and notes, as printed by the CLI. */
export function formatReport(report: SuiteReport): string {
  const parts = [`## ${report.title}`];
  for (const table of report.tables) parts.push(`### ${table.title}`, formatTable(table));
  if (report.notes.length > 0) parts.push(report.notes.map((note) => `- ${note}`).join('\n'));
  return `${parts.join('\n\n')}\n`;
}

/** 123456.7 → "123,457". */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–';
}

/** Microseconds, with one decimal below 1 ms (µs-level differences matter there). */
export function formatMicros(micros: number): string {
  if (!Number.isFinite(micros)) return '–';
  return micros < 1000 ? micros.toFixed(1) : formatCount(micros);
}

/** A ratio such as mcc/memjs: "2.31×". */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '–';
}

/** A per-operation count (requests or writes per op): "1.00", "0.02". */
export function formatPerOp(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '–';
  return value.toFixed(value >= 10 ? 1 : 2);
}
