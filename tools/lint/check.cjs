#!/usr/bin/env node
/**
 * `mcc-lint PACKAGE_DIR…`: the rules STYLE.md asks of every workspace
 * package's sources (`packages/*` and `tools/*`), checked without a lint
 * framework (a directory without `src/`, like this one, has nothing to check):
 *
 * - layering: a package imports only the @mcc packages in its own
 *   `dependencies` (protocol ← codec ← mcas ← deque), and never msgpackr above codec;
 * - kebab-case file names;
 * - no source file over 450 lines (tests excepted);
 * - no `console.` and no `@ts-nocheck` / `@ts-ignore` in library sources.
 *
 * Prints one line per finding and exits 1 if there is any.
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const MAX_LINES = 450;
const findings = [];

function sourceFiles(dir) {
  const files = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(full));
    else if (entry.name.endsWith('.ts')) files.push(full);
  }
  return files;
}

for (const packageDir of process.argv.slice(2)) {
  if (!fs.existsSync(path.join(packageDir, 'package.json')) || !fs.existsSync(path.join(packageDir, 'src'))) continue;
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  const allowed = new Set(Object.keys(manifest.dependencies ?? {}));
  for (const file of sourceFiles(path.join(packageDir, 'src'))) {
    const relative = path.relative(process.cwd(), file);
    const text = fs.readFileSync(file, 'utf8');
    const isTest = /\.test\.ts$/.test(file) || file.includes(`${path.sep}__tests__${path.sep}`);
    if (!/^[a-z0-9]+(-[a-z0-9]+)*(\.test)?\.ts$/.test(path.basename(file)) && !path.basename(file).startsWith('__')) {
      findings.push(`${relative}: file name is not kebab-case`);
    }
    if (isTest) continue;
    const lines = text.split('\n').length;
    if (lines > MAX_LINES) findings.push(`${relative}: ${lines} lines (at most ${MAX_LINES}); split it by concern`);
    if (/\bconsole\./.test(text)) findings.push(`${relative}: console.* in library code (use diagnostics_channel or an error)`);
    if (/@ts-(nocheck|ignore)/.test(text)) findings.push(`${relative}: a TypeScript suppression comment`);
    for (const match of text.matchAll(/from '(@mcc\/[a-z-]+|msgpackr)(\/[^']*)?'/g)) {
      if (!allowed.has(match[1])) findings.push(`${relative}: imports ${match[1]}, which is not a dependency of ${manifest.name}`);
      if (match[2]) findings.push(`${relative}: deep import ${match[1]}${match[2]}; use the package's public entry`);
    }
  }
}

for (const finding of findings) console.log(finding);
console.log(findings.length === 0 ? 'mcc-lint: no findings' : `mcc-lint: ${findings.length} finding(s)`);
process.exit(findings.length === 0 ? 0 : 1);
