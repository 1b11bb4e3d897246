import { Backoff, pause } from './backoff';

describe('Backoff', () => {
  it('waits within a ceiling that doubles with each loss and is capped', () => {
    const backoff = new Backoff({ unitMs: 2, maxMs: 10 });
    const ceilings = [2, 4, 8, 10, 10];
    for (const ceiling of ceilings) {
      const wait = backoff.failure();
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThanOrEqual(ceiling);
    }
    expect(backoff.level).toBe(5);
  });

  it('lowers its level on wins, down to retrying at once', () => {
    const backoff = new Backoff({ unitMs: 1, maxMs: 100 });
    backoff.failure();
    backoff.failure();
    backoff.success();
    expect(backoff.level).toBe(1);
    backoff.success();
    backoff.success();
    expect(backoff.level).toBe(0);
  });

  it('jitters: waits after the same number of losses differ', () => {
    const waits = new Set(Array.from({ length: 20 }, () => new Backoff({ unitMs: 100, maxMs: 100 }).failure()));
    expect(waits.size).toBeGreaterThan(15);
  });

  it('retries the first losses of a run at once when asked to', () => {
    const backoff = new Backoff({ unitMs: 4, maxMs: 100, immediateRetries: 1 });
    expect(backoff.failure()).toBe(0);
    expect(backoff.failure()).toBeLessThanOrEqual(4);
    backoff.success();
    backoff.success();
    expect(backoff.failure()).toBe(0);
  });

  it('follows a new unit and ignores nonsense', () => {
    const backoff = new Backoff({ unitMs: 1, maxMs: 100 });
    backoff.unitMs = 0.3;
    backoff.unitMs = NaN;
    backoff.unitMs = -1;
    expect(backoff.unitMs).toBe(0.3);
    expect(backoff.failure()).toBeLessThanOrEqual(0.3);
  });
});

describe('pause', () => {
  it('yields below timer granularity, sleeps above it', async () => {
    let started = performance.now();
    await pause(0.1);
    expect(performance.now() - started).toBeLessThan(50);
    started = performance.now();
    await pause(20);
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);
  });

  it('rejects with the reason when aborted, before or during the wait', async () => {
    const before = new AbortController();
    before.abort(new Error('stop'));
    await expect(pause(1000, before.signal)).rejects.toThrow('stop');
    const during = new AbortController();
    const waiting = pause(10_000, during.signal);
    during.abort(new Error('now'));
    await expect(waiting).rejects.toThrow('now');
  });
});
