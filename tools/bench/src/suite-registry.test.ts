import { loadSuite, suiteNames } from './suite-registry';

describe('suite registry', () => {
  it('finds suites by file name', () => {
    expect(suiteNames()).toContain('protocol');
    expect(loadSuite('protocol').name).toBe('protocol');
  });

  it('names the available suites for an unknown one', () => {
    expect(() => loadSuite('nope')).toThrow(/available: .*protocol/);
  });
});
