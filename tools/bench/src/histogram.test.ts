import { Histogram } from './histogram';

describe('Histogram', () => {
  it('is empty at first', () => {
    const histogram = new Histogram();
    expect(histogram.count).toBe(0);
    expect(histogram.mean).toBeNaN();
    expect(histogram.percentile(50)).toBeNaN();
  });

  it('keeps small values exact and the mean exact', () => {
    const histogram = new Histogram();
    for (const value of [10, 20, 30, 40]) histogram.record(value);
    expect(histogram.mean).toBe(25);
    expect(histogram.percentile(50)).toBe(20);
    expect(histogram.percentile(100)).toBe(40);
    expect(histogram.min).toBe(10);
  });

  it('estimates percentiles of large values within 1 %', () => {
    const histogram = new Histogram();
    for (let value = 1; value <= 100_000; value++) histogram.record(value * 1000); // 1 µs .. 100 ms
    for (const percent of [1, 50, 90, 99, 99.9]) {
      const exact = Math.ceil((percent / 100) * 100_000) * 1000;
      expect(Math.abs(histogram.percentile(percent) - exact) / exact).toBeLessThan(0.01);
    }
    expect(histogram.percentile(100)).toBe(100_000_000);
  });

  it('clamps huge and negative samples', () => {
    const histogram = new Histogram();
    histogram.record(-5);
    histogram.record(1e12);
    expect(histogram.min).toBe(0);
    expect(histogram.max).toBe(0xffffffff);
  });

  it('merges', () => {
    const a = new Histogram();
    const b = new Histogram();
    a.record(100);
    b.record(300);
    a.merge(b);
    expect(a.count).toBe(2);
    expect(a.mean).toBe(200);
    expect(a.max).toBe(300);
  });
});
