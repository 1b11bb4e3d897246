import { cellSelected, parseCliArgs } from './cli-args';

describe('parseCliArgs', () => {
  it('has defaults', () => {
    expect(parseCliArgs(['protocol'])).toEqual({
      suites: ['protocol'],
      settings: { seconds: 2, warmupSeconds: 0.15, rounds: 6 },
      servers: null,
      cells: null,
      json: false,
      help: false,
    });
  });

  it('reads --cells selectors: tags joined by + must all match, any selector may', () => {
    const { cells } = parseCliArgs(['scale', '--cells', 'deque+P16+c1, mcas']);
    expect(cells).toEqual([['deque', 'p16', 'c1'], ['mcas']]);
    expect(cellSelected(cells, ['deque', 'p16', 'c1', 'loopback'])).toBe(true);
    expect(cellSelected(cells, ['deque', 'p16', 'c4', 'loopback'])).toBe(false);
    expect(cellSelected(cells, ['mcas', 'p4', 'l10'])).toBe(true);
    expect(cellSelected(null, ['anything'])).toBe(true);
    expect(() => parseCliArgs(['scale', '--cells', 'deque,,mcas'])).toThrow(/--cells/);
  });

  it('reads options', () => {
    const args = parseCliArgs(['protocol', '--seconds', '0.5', '--rounds=1', '--servers', '127.0.0.1:11211, 127.0.0.1:11212', '--json']);
    expect(args.settings.seconds).toBe(0.5);
    expect(args.settings.rounds).toBe(1);
    expect(args.servers).toEqual(['127.0.0.1:11211', '127.0.0.1:11212']);
    expect(args.json).toBe(true);
  });

  it.each([
    [['--seconds', '0']],
    [['--seconds', 'x']],
    [['--rounds', '1.5']],
    [['--servers', 'localhost']],
    [['--nope']],
  ])('rejects %j', (argv) => {
    expect(() => parseCliArgs(argv)).toThrow();
  });
});
