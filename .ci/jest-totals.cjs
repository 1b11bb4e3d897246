// Sums the `--json` results every package's jest run wrote, and prints the
// one line CI reads: "N passed, N failed". A package whose run wrote no
// results (it crashed, or never ran) counts as a failure.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
let passed = 0;
let failed = 0;
const missing = [];
for (const group of ['packages', 'tools']) {
  const groupDir = path.join(root, group);
  if (!fs.existsSync(groupDir)) continue;
  for (const name of fs.readdirSync(groupDir).sort()) {
    const dir = path.join(groupDir, name);
    const manifest = path.join(dir, 'package.json');
    if (!fs.existsSync(manifest)) continue;
    const scripts = JSON.parse(fs.readFileSync(manifest, 'utf8')).scripts ?? {};
    if (!scripts.test) continue;
    const results = path.join(dir, '.jest-results.json');
    if (!fs.existsSync(results)) {
      missing.push(`${group}/${name}`);
      continue;
    }
    const summary = JSON.parse(fs.readFileSync(results, 'utf8'));
    passed += summary.numPassedTests;
    failed += summary.numFailedTests;
    // A suite that failed to load has no failed tests but must still fail the run.
    failed += summary.numRuntimeErrorTestSuites ?? 0;
  }
}
for (const name of missing) console.error(`no jest results from ${name}: its tests did not run to completion`);
failed += missing.length;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
