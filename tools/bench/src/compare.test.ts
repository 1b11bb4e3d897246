import { compareInRounds, roundOrder, summarize } from './compare';
import { Histogram } from './histogram';

describe('roundOrder', () => {
  it('alternates two subjects AB BA, then BA AB', () => {
    const order = (cell: number): string => [0, 1, 2, 3].map((round) => roundOrder(['A', 'B'], cell, round).join('')).join(' ');
    expect(order(0)).toBe('AB BA AB BA');
    expect(order(1)).toBe('BA AB BA AB');
  });
});

describe('compareInRounds', () => {
  it('runs each subject once per round in rotating order and merges the rounds', async () => {
    const calls: string[] = [];
    const merged = await compareInRounds([{ name: 'a' }, { name: 'b' }], 0, { seconds: 1, rounds: 2, warmupSeconds: 0 }, async (subject, durationMs) => {
      calls.push(subject.name);
      const latency = new Histogram();
      latency.record(1000);
      return { operations: 100, elapsedMs: durationMs, latency, cpuMicros: 50, cpuSystemMicros: 10, requests: 100, writes: 10 };
    });
    expect(calls).toEqual(['a', 'b', 'b', 'a']);
    const a = summarize(merged.get('a')!);
    expect(a.operations).toBe(200);
    expect(a.opsPerSecond).toBe(200);
    expect(a.roundOpsPerSecond).toEqual([200, 200]);
    expect(a.writesPerOp).toBe(0.1);
    expect(a.meanUs).toBe(1);
  });
});
