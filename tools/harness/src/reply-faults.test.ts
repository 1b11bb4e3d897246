import { ReplyFaults } from './reply-faults';
import { seededRandom } from './seeded-random';

function decisions(seed: number, count: number): string[] {
  const faults = new ReplyFaults();
  faults.setRandom({ seed, probability: 0.3, stallMs: 5 });
  const out: string[] = [];
  for (let index = 0; index < count; index++) {
    const action = faults.decide(index * 10, 10);
    out.push(action.kind === 'pass' ? '-' : `${action.kind}@${action.offset}`);
  }
  return out;
}

test('the same seed gives the same decisions; another seed others', () => {
  expect(decisions(42, 200)).toEqual(decisions(42, 200));
  expect(decisions(42, 200)).not.toEqual(decisions(43, 200));
  const hits = decisions(42, 1000).filter((decision) => decision !== '-').length;
  expect(hits).toBeGreaterThan(200);
  expect(hits).toBeLessThan(400);
});

test('seededRandom is uniform in [0, 1)', () => {
  const next = seededRandom(1);
  const values = Array.from({ length: 10_000 }, next);
  expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
  expect(Math.max(...values)).toBeLessThan(1);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
});

test('an armed fault fires in the chunk holding its position, at the right offset, once', () => {
  const faults = new ReplyFaults();
  faults.arm({ kind: 'cut', afterBytes: 25 }, 25);
  expect(faults.decide(0, 10)).toEqual({ kind: 'pass' });
  expect(faults.decide(10, 10)).toEqual({ kind: 'pass' });
  expect(faults.decide(20, 10)).toEqual({ kind: 'cut', offset: 5 });
  expect(faults.decide(30, 10)).toEqual({ kind: 'pass' });
  faults.arm({ kind: 'tear' }, 40);
  expect(faults.decide(40, 11)).toEqual({ kind: 'cut', offset: 5 });
  faults.arm({ kind: 'stall', stallMs: 7 }, 51);
  expect(faults.decide(51, 4)).toEqual({ kind: 'stall', offset: 0, ms: 7 });
  expect(faults.counts).toEqual({ cut: 1, tear: 1, stall: 1 });
});

test('afterReplies lets that many replies through first, then fires at the start of the next', () => {
  const faults = new ReplyFaults();
  faults.arm({ kind: 'cut', afterReplies: 2 }, 0);
  expect(faults.decide(0, 10)).toEqual({ kind: 'pass' });
  expect(faults.decide(10, 10)).toEqual({ kind: 'pass' });
  expect(faults.decide(20, 10)).toEqual({ kind: 'cut', offset: 0 });
  expect(faults.decide(30, 10)).toEqual({ kind: 'pass' });
});
