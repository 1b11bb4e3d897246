import { roundOrder } from './compare';

describe('roundOrder', () => {
  it('alternates two subjects AB BA, then BA AB', () => {
    const order = (cell: number): string => [0, 1, 2, 3].map((round) => roundOrder(['A', 'B'], cell, round).join('')).join(' ');
    expect(order(0)).toBe('AB BA AB BA');
    expect(order(1)).toBe('BA AB BA AB');
  });
});
