import { runClosedLoop } from './runner';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('runClosedLoop', () => {
  it('keeps exactly `concurrency` operations outstanding and counts the window only', async () => {
    let outstanding = 0;
    let most = 0;
    const result = await runClosedLoop(
      async () => {
        outstanding++;
        most = Math.max(most, outstanding);
        await tick();
        outstanding--;
      },
      { concurrency: 8, warmupMs: 20, durationMs: 60 },
    );
    expect(most).toBe(8);
    expect(result.operations).toBeGreaterThan(0);
    expect(result.latency.count).toBe(result.operations);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(55);
  });

  it('snapshots at the window edges', async () => {
    const calls: string[] = [];
    await runClosedLoop(tick, {
      concurrency: 1, warmupMs: 5, durationMs: 10,
      onWindowStart: () => calls.push('start'),
      onWindowEnd: () => calls.push('end'),
    });
    expect(calls).toEqual(['start', 'end']);
  });

  it('fails with the first operation error', async () => {
    let calls = 0;
    const failing = async (): Promise<void> => {
      await tick();
      if (++calls === 3) throw new Error('boom');
    };
    await expect(runClosedLoop(failing, { concurrency: 2, warmupMs: 1, durationMs: 1000 })).rejects.toThrow('boom');
  });

  it('stops early when aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 20);
    const started = Date.now();
    await expect(runClosedLoop(tick, { concurrency: 4, warmupMs: 1, durationMs: 10_000, signal: controller.signal })).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
