/**
 * Finds suites by name: `suites/<name>.js` exporting `suite`.
 *
 * Adding a suite is adding one file; nothing here lists them. Suites are
 * loaded only when asked for, so one whose dependencies are missing or
 * broken (another package mid-change) does not stop the others from running.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Suite } from './suite';

const SUITES_DIR = path.join(__dirname, 'suites');
/** Compiled suites (`.js`), or sources when run through ts-jest (`.ts`); never declarations or tests. */
const SUITE_FILE = /^([a-z0-9]+(?:-[a-z0-9]+)*)\.(?:js|ts)$/;

/** Names of every suite file present, sorted. */
export function suiteNames(): string[] {
  let files: string[];
  try {
    files = readdirSync(SUITES_DIR);
  } catch {
    return [];
  }
  const names = files.flatMap((file) => {
    if (file.endsWith('.d.ts')) return [];
    const match = SUITE_FILE.exec(file);
    return match?.[1] === undefined ? [] : [match[1]];
  });
  return [...new Set(names)].sort();
}

/**
 * Loads the suite called `name`.
 *
 * @throws Error naming the available suites when there is none by that name,
 *   or when the file does not export a matching `suite`.
 */
export function loadSuite(name: string): Suite {
  const available = suiteNames();
  if (!available.includes(name)) {
    throw new Error(`unknown suite "${name}"; available: ${available.join(', ') || '(none)'}`);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(path.join(SUITES_DIR, name)) as { suite?: Suite };
  const suite = loaded.suite;
  if (suite === undefined || typeof suite.run !== 'function' || suite.name !== name) {
    throw new Error(`suites/${name} must export \`suite\` with name "${name}" and a run() method`);
  }
  return suite;
}
