import { exponentialBackoff } from './reconnect-strategy';

describe('exponentialBackoff', () => {
  const error = new Error('refused');

  it('doubles from the base up to the cap, with jitter in [ceiling/2, ceiling]', () => {
    const low = exponentialBackoff(50, 2000, () => 0);
    const high = exponentialBackoff(50, 2000, () => 1);
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((attempt) => high(attempt, error))).toEqual([50, 100, 200, 400, 800, 1600, 2000, 2000]);
    expect([1, 2, 3, 7, 20].map((attempt) => low(attempt, error))).toEqual([25, 50, 100, 1000, 1000]);
  });

  it('spreads clients that failed together', () => {
    let seed = 1;
    const strategy = exponentialBackoff(100, 10_000, () => (seed = (seed * 16807) % 2147483647) / 2147483647);
    const delays = new Set(Array.from({ length: 20 }, () => strategy(5, error)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
