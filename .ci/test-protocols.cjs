// `pnpm test`'s test step: every package's jest suite on the binary protocol,
// then the suites of every package that talks to memcached through
// @mcc/protocol again on the meta protocol (MCC_PROTOCOL=meta, read by every
// Client whose options choose no protocol) — except those .ci/protocol-runs.cjs
// names. Each run's jest results are kept
// apart (.jest-results.binary.json, .jest-results.meta.json) for
// .ci/jest-totals.cjs, which counts both. Exits 1 if either run failed.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { META_SKIPPED } = require('./protocol-runs.cjs');

const root = path.resolve(__dirname, '..');
const packageDirs = ['packages', 'tools'].flatMap((group) => {
  const dir = path.join(root, group);
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((name) => path.join(dir, name)) : [];
});

function moveResults(protocol) {
  for (const dir of packageDirs) {
    const results = path.join(dir, '.jest-results.json');
    if (fs.existsSync(results)) fs.renameSync(results, path.join(dir, `.jest-results.${protocol}.json`));
  }
}

for (const dir of packageDirs) {
  for (const name of ['.jest-results.json', '.jest-results.binary.json', '.jest-results.meta.json']) fs.rmSync(path.join(dir, name), { force: true });
}

const runs = [
  { protocol: 'binary', filter: [] },
  { protocol: 'meta', filter: ['--filter=...@mcc/protocol', ...META_SKIPPED.map((name) => `--filter=!${name}`)] },
];
let failed = false;
for (const { protocol, filter } of runs) {
  console.log(`\n== tests on the ${protocol} protocol`);
  const result = spawnSync('pnpm', ['exec', 'turbo', 'run', 'test', '--concurrency=1', '--continue', ...filter], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', MCC_PROTOCOL: protocol },
  });
  if (result.status !== 0) failed = true;
  moveResults(protocol);
}
process.exit(failed ? 1 : 0);
