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
  const verdict = result.kind === 'ok' && !replays(dequeModel(names), operations, result.linearization) ? 'ok-BUT-DOES-NOT-REPLAY' : result.kind;
  return { file, operations: operations.length, open, saved: saved.result, verdict, steps: result.steps, seconds: Number(seconds.toFixed(2)) };
}

/** An `ok`'s linearization checked apart from the search: every output, every operation with a response, real time. */
function replays(model, operations, order) {
  let state = model.init();
  for (const index of order) {
    const operation = operations[index];
    const next = model.step(state, operation.input, operation.return === null ? undefined : operation.output);
    if (operation.return !== null && JSON.stringify(next.output) !== JSON.stringify(operation.output)) return false;
    state = next.state;
  }
  const taken = new Set(order);
  if (order.length !== taken.size || !operations.every((operation, index) => operation.return === null || taken.has(index))) return false;
  let latestCall = -Infinity;
  for (const index of order) {
    // None may have returned before an operation earlier in the order was called.
    const operation = operations[index];
    if ((operation.return ?? Infinity) < latestCall) return false;
    latestCall = Math.max(latestCall, operation.call);
  }
  return true;
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
