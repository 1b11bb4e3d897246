/** What a load test found, and how it is printed. */
export interface LoadReport {
  readonly title: string;
  /** label → value, printed as aligned lines */
  readonly lines: readonly (readonly [string, string])[];
  /** Every broken invariant; any makes the run fail. */
  readonly violations: readonly string[];
}

export function formatLoadReport(report: LoadReport): string {
  const width = Math.max(...report.lines.map(([label]) => label.length));
  const lines = [`${report.title}`, ...report.lines.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)];
  if (report.violations.length === 0) lines.push('  OK: every invariant held');
  else lines.push(`  VIOLATIONS (${report.violations.length}):`, ...report.violations.slice(0, 20).map((violation) => `    - ${violation}`));
  return `${lines.join('\n')}\n`;
}
