/**
 * What an installed package must and must not contain: its entry points,
 * README and LICENSE; no tests, no test helpers (`dist/testing`), no build
 * info; and every source map's `sources` present beside it (a map pointing
 * at files that were not shipped sends a debugger nowhere).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

/** Problems with the installed package in `dir` (empty when it is as it should be). */
export function shippedFileProblems(dir: string, manifest: { main?: string; types?: string; bin?: Readonly<Record<string, string>> }): string[] {
  const problems: string[] = [];
  const files = filesUnder(dir).map((file) => path.relative(dir, file));
  const required = ['package.json', 'README.md', 'LICENSE', manifest.main, manifest.types, ...Object.values(manifest.bin ?? {})].filter((file): file is string => file !== undefined);
  for (const file of required) if (!existsSync(path.join(dir, file))) problems.push(`missing ${file}`);
  for (const file of files) {
    if (file.startsWith('node_modules')) continue;
    if (/\.test\.|__tests__/.test(file)) problems.push(`ships a test: ${file}`);
    if (/(^|\/)testing\//.test(file)) problems.push(`ships a test helper: ${file}`);
    if (file.endsWith('.tsbuildinfo')) problems.push(`ships build info: ${file}`);
    if (!file.endsWith('.map')) continue;
    const map = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { sources?: string[]; sourceRoot?: string };
    for (const source of map.sources ?? []) {
      const target = path.join(dir, path.dirname(file), map.sourceRoot ?? '', source);
      if (!existsSync(target)) problems.push(`${file} points at ${path.relative(dir, target)}, which is not shipped`);
    }
  }
  return problems;
}
