/**
 * Saved deque histories with many open-ended operations (every lost reply
 * open-ended, mostly `moveTo`s) that the checker could not decide before
 * its reductions for open-ended operations (src/open-twins.ts, the
 * no-change rule in src/checker.ts, src/models/deque-exits.ts,
 * src/models/deque-lost-values.ts, src/models/deque-observed-at-end.ts):
 * now linearizable, in few steps, with a
 * linearization that replays.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkLinearizability, dequeModel, fromPorcupineOperations, type DequeInput, type DequeOutput, type PorcupineOperation } from '../src';
import { replays } from './helpers';

const model = dequeModel<number>(['a', 'b']);

function fixture(name: string) {
  const file = JSON.parse(readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as { operations: PorcupineOperation[] };
  return fromPorcupineOperations<DequeInput<number>, DequeOutput<number>>(file.operations);
}

test.each([
  // Before: undecided after 20 M steps (61 s); after: 6,117 steps (undecided at 5 M without the lost-values rule).
  ['permissive-deque-seed-101.json', 11, 30_000],
  // Before: linearizable in 5,401,427 steps (9.6 s); after: 164 steps (2,335 without the ends rule).
  ['permissive-deque-seed-106.json', 17, 1_000],
])('%s (%i open-ended operations) is linearizable within %i steps', (name, openEnded, bound) => {
  const operations = fixture(name);
  expect(operations.filter((operation) => operation.return === null)).toHaveLength(openEnded);
  const result = checkLinearizability(model, operations, { maxSteps: bound });
  expect(result.kind).toBe('ok');
  expect(result.kind === 'ok' && replays(model, operations, result.linearization)).toBe(true);
});
