import { Fifo } from './fifo';

describe('Fifo', () => {
  it('keeps first-in first-out order across compactions', () => {
    const fifo = new Fifo<number>();
    const out: number[] = [];
    for (let i = 0; i < 10_000; i++) {
      fifo.push(i);
      if (i % 3 === 0) out.push(fifo.shift()!);
    }
    expect(fifo.peek()).toBe(out.length);
    while (fifo.length > 0) out.push(fifo.shift()!);
    expect(out).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(fifo.shift()).toBeUndefined();
  });

  it('drains everything, oldest first', () => {
    const fifo = new Fifo<string>();
    fifo.push('a');
    fifo.push('b');
    fifo.push('c');
    fifo.shift();
    expect(fifo.drain()).toEqual(['b', 'c']);
    expect(fifo.length).toBe(0);
    expect(fifo.peek()).toBeUndefined();
  });
});
