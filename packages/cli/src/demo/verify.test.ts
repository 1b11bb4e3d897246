import type { WorkerResult } from './messages';
import { accountsCheck, queueChecks, shuttleCheck, tallyQueue } from './verify';

function result(overrides: Partial<WorkerResult>): WorkerResult {
  return { role: 'producer', index: 0, ops: 0, retries: 0, writes: 0, requests: 0, elapsedMs: 1000, errors: 0, firstErrors: [], ...overrides };
}

const failing = (checks: { name: string; ok: boolean }[]): string[] => checks.filter((check) => !check.ok).map((check) => check.name);

describe('queue verification', () => {
  // Two producer processes of two loops: streams 0, 1 (process 0) and 2, 3 (process 1).
  const producers = [result({ index: 0, produced: [2, 1] }), result({ index: 1, produced: [0, 3] })];

  it('passes when every appended item came out once, in order', () => {
    const consumers = [
      result({ role: 'consumer', index: 0, received: [[0, [0, 1]], [3, [0, 1]]] }),
      result({ role: 'consumer', index: 1, received: [[1, [0]]] }),
    ];
    const tally = tallyQueue(producers, consumers, [{ p: 3, i: 2 }], 2);
    expect(tally).toMatchObject({ appended: 6, popped: 6, leftOver: 1, duplicates: 0, lost: 0, unexpected: 0 });
    // Left in the queue after the drain is a failure of the consumers, even though nothing is lost.
    expect(failing(queueChecks(tally))).toEqual(['items in = items out']);
    expect(failing(queueChecks(tallyQueue(producers, consumers, [], 2)))).toEqual(['items in = items out', 'no losses']);
  });

  it('catches duplicates, losses, invented items and order violations', () => {
    const consumers = [
      result({ role: 'consumer', index: 0, received: [[0, [0, 0]], [3, [0, 1, 2, 7]], [9, [0]]], orderViolations: 1, orderExamples: ['x'] }),
    ];
    const tally = tallyQueue(producers, consumers, [], 1);
    expect(tally).toMatchObject({ duplicates: 1, lost: 2, unexpected: 2 });
    expect(failing(queueChecks(tally))).toEqual(['items in = items out', 'no duplicates', 'no losses', 'order per producer per consumer']);
  });

  it('tolerates an append whose outcome was unknown', () => {
    const uncertainProducer = [result({ index: 0, produced: [1], uncertain: [[0, 1]] })];
    const tally = tallyQueue(uncertainProducer, [result({ role: 'consumer', received: [[0, [0, 1]]] })], [], 1);
    expect(tally.unexpected).toBe(0);
  });
});

describe('conservation checks', () => {
  it('shuttle: exactly the items 1…n, once each', () => {
    expect(shuttleCheck([3, 1, 2], 3, 10).ok).toBe(true);
    expect(shuttleCheck([3, 1, 1], 3, 10).ok).toBe(false);
    expect(shuttleCheck([3, 1], 3, 10).ok).toBe(false);
  });

  it('accounts: the same total, none missing or negative', () => {
    expect(accountsCheck([5, 15], 20, 3).ok).toBe(true);
    expect(accountsCheck([5, 14], 20, 3).ok).toBe(false);
    expect(accountsCheck([25, -5], 20, 3).ok).toBe(false);
    expect(accountsCheck([20, undefined], 20, 3).ok).toBe(false);
  });
});
