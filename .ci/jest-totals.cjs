// Sums the `--json` results every package's jest runs wrote, and prints the
// one line CI reads: "N passed, N failed". `pnpm test` runs each suite on the
// binary protocol and, for every package built on @mcc/protocol, again on
// meta (.ci/test-protocols.cjs; .ci/protocol-runs.cjs names the exceptions):
// both runs count. A run that wrote no results
// (it crashed, or never ran) counts as a failure.
const fs = require('node:fs');
const path = require('node:path');
const { META_SKIPPED } = require('./protocol-runs.cjs');

const root = path.resolve(__dirname, '..');
const manifests = new Map(); // package name -> { dir, manifest }
for (const group of ['packages', 'tools']) {
  const groupDir = path.join(root, group);
  if (!fs.existsSync(groupDir)) continue;
  for (const name of fs.readdirSync(groupDir).sort()) {
    const dir = path.join(groupDir, name);
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
    manifests.set(manifest.name, { dir, label: `${group}/${name}`, manifest });
  }
}

/** Whether a package is @mcc/protocol or depends on it (through any workspace package): its tests also run on meta. */
function usesProtocol(name, seen = new Set()) {
  if (name === '@mcc/protocol') return true;
  if (seen.has(name) || !manifests.has(name)) return false;
  seen.add(name);
  const { manifest } = manifests.get(name);
  const deps = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies });
  return deps.some((dep) => usesProtocol(dep, seen));
}

let passed = 0;
let failed = 0;
const missing = [];
const failures = []; // one line or a few per failed test or suite, printed just above the totals

/** The first lines of a failure message, without ANSI colours: enough to name the cause in CI's tail. */
function excerpt(message, lines = 12) {
  // eslint-disable-next-line no-control-regex
  const plain = String(message ?? '').replace(/\u001b\[[0-9;]*m/g, '');
  return plain.split('\n').slice(0, lines).map((line) => `      ${line}`).join('\n');
}

function collectFailures(protocol, summary) {
  for (const suite of summary.testResults ?? []) {
    const file = path.relative(root, suite.name);
    const failedTests = (suite.assertionResults ?? []).filter((test) => test.status === 'failed');
    for (const test of failedTests) failures.push(`  ✕ [${protocol}] ${file} › ${test.fullName}\n${excerpt(test.failureMessages?.[0])}`);
    // A suite that failed to load (or failed outside any test) has a message and no failed test.
    if (suite.status === 'failed' && failedTests.length === 0) failures.push(`  ✕ [${protocol}] ${file} (suite)\n${excerpt(suite.message)}`);
  }
}
for (const [name, { dir, label, manifest }] of manifests) {
  if (!manifest.scripts?.test) continue;
  const binary = path.join(dir, '.jest-results.binary.json');
  // A plain `turbo run test` (one run, unnamed results) still counts as the binary run.
  const runs = [['binary', fs.existsSync(binary) ? binary : path.join(dir, '.jest-results.json')]];
  if (usesProtocol(name) && !META_SKIPPED.includes(name)) runs.push(['meta', path.join(dir, '.jest-results.meta.json')]);
  for (const [protocol, results] of runs) {
    if (!fs.existsSync(results)) {
      missing.push(`${label} (${protocol})`);
      continue;
    }
    const summary = JSON.parse(fs.readFileSync(results, 'utf8'));
    passed += summary.numPassedTests;
    failed += summary.numFailedTests;
    // A suite that failed to load has no failed tests but must still fail the run.
    failed += summary.numRuntimeErrorTestSuites ?? 0;
    collectFailures(protocol, summary);
  }
}
if (failures.length > 0) console.log(`\nfailed:\n${failures.join('\n')}\n`);
for (const name of missing) console.error(`no jest results from ${name}: its tests did not run to completion`);
failed += missing.length;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
