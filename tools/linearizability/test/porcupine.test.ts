import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkLinearizability,
  dequeModel,
  fromPorcupineOperations,
  savePorcupineHistory,
  toPorcupineOperations,
  toPorcupineVisualization,
  type DequeInput,
  type DequeOutput,
  type HistoryOperation,
} from '../src';
import { done, open } from './helpers';

type Op = HistoryOperation<DequeInput<number>, DequeOutput<number>>;
const model = dequeModel<number>(['a', 'b']);
const history: Op[] = [
  done(1, 10, 20, { op: 'append', deque: 'a', value: 1 }, null),
  open(2, 15, { op: 'append', deque: 'a', value: 2 }),
  done(3, 30, 40, { op: 'pop', deque: 'a' }, 1),
];

test("operations in Porcupine's []Operation shape; open-ended ones return after everything, with an Unknown output", () => {
  const operations = toPorcupineOperations(history);
  expect(operations).toEqual([
    { ClientId: 1, Input: { op: 'append', deque: 'a', value: 1 }, Call: 10, Output: null, Return: 20 },
    { ClientId: 2, Input: { op: 'append', deque: 'a', value: 2 }, Call: 15, Output: { Unknown: true, Error: 'MCC_ERR_CONNECTION_CLOSED' }, Return: 41 },
    { ClientId: 3, Input: { op: 'pop', deque: 'a' }, Call: 30, Output: 1, Return: 40 },
  ]);
  expect(fromPorcupineOperations(JSON.parse(JSON.stringify(operations)))).toEqual(history);
});

test("the visualization data Porcupine's viewer reads: the linearization, or the longest prefix of a violation", () => {
  const ok = toPorcupineVisualization(model, history, checkLinearizability(model, history));
  const [partition] = ok.Partitions;
  expect(partition!.History.map((element) => element.Description)).toEqual(['a.append(1)', 'a.append(2) ?', 'a.pop() → 1']);
  expect(partition!.PartialLinearizations[0]!.map((step) => step.Index)).toEqual([0, 2]);
  expect(partition!.PartialLinearizations[0]!.at(-1)!.StateDescription).toBe('a: []; b: []');

  // A value nobody pushed: the prefix runs up to it. (A second pop of 1 would be refused by the feasibility test as soon
  // as the first one took it — a value still to be seen gone for good — and the prefix would end before that pop.)
  const bad = [...history, done(3, 50, 60, { op: 'pop', deque: 'a' }, 3)];
  const result = checkLinearizability(model, bad);
  expect(result.kind).toBe('violation');
  const visual = toPorcupineVisualization(model, bad, result);
  expect(visual.Partitions[0]!.PartialLinearizations[0]!.length).toBeGreaterThanOrEqual(2);
  expect(Object.keys(visual.Partitions[0]!.Largest).length).toBeGreaterThanOrEqual(2);
});

test('savePorcupineHistory writes model, result, operations and visualization as JSON', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'lin-'));
  try {
    const path = join(dir, 'not', 'made', 'yet', 'h.json'); // a --save-dir that does not exist is created
    await savePorcupineHistory(path, model, history, checkLinearizability(model, history));
    const saved = JSON.parse(await readFile(path, 'utf8'));
    expect(saved).toMatchObject({ model: 'deques(a,b)', result: 'ok' });
    expect(saved.operations).toHaveLength(3);
    expect(saved.visualization.Partitions).toHaveLength(1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
