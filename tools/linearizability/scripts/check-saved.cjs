#!/usr/bin/env node
/**
 * Checks saved deque histories (Porcupine JSON written by savePorcupineHistory)
 * with the deque model and prints verdict, steps and seconds per file — to
 * measure a change of the checker on the histories earlier runs could not
 * decide. Uses the built package (`pnpm build` first); one child process per
 * file, so each search gets the whole heap and frees it.
 *
 *   node scripts/check-saved.cjs [--steps 20000000] [--dist ./dist] FILE…
 */
'use strict';
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const path = require('node:path');

function checkOne(file, steps, dist) {
  const { checkLinearizability, dequeModel, fromPorcupineOperations } = require(path.resolve(dist));
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  const names = /^deques\((.*)\)$/.exec(saved.model)[1].split(',');
  const operations = fromPorcupineOperations(saved.operations);
  const started = process.hrtime.bigint();
  const result = checkLinearizability(dequeModel(names), operations, { maxSteps: steps, timeoutMs: 3_600_000 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const open = operations.filter((operation) => operation.return === null).length;
  return { file, operations: operations.length, open, saved: saved.result, verdict: result.kind, steps: result.steps, seconds: Number(seconds.toFixed(2)) };
}

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const [, value] = args.splice(at, 2);
  return value;
};
const steps = Number(option('--steps', '20000000'));
const dist = option('--dist', path.join(__dirname, '..', 'dist'));
if (option('--one', undefined) === 'yes') {
  process.stdout.write(`${JSON.stringify(checkOne(args[0], steps, dist))}\n`);
} else {
  for (const file of args) {
    const out = execFileSync(process.execPath, ['--max-old-space-size=12000', __filename, '--one', 'yes', '--steps', String(steps), '--dist', dist, file], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const row = JSON.parse(out);
    process.stdout.write(`${[row.file, row.operations, row.open, row.saved, row.verdict, row.steps, row.seconds].join('\t')}\n`);
  }
}
