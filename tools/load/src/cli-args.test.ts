import { parseLoadArgs } from './cli-args';

describe('parseLoadArgs', () => {
  test('defaults', () => {
    expect(parseLoadArgs(['mcas'])).toEqual({ test: 'mcas', processes: 4, workers: 8, producers: 2, consumers: 2, valueSize: 100, locations: 100, per: 5, seconds: 10, servers: null, serverCount: 3, clients: 2, ops: 12, faultRate: 0.03, flushBytes: 40, seed: null, saveDir: '.', permissive: false, combine: false, help: false });
  });

  test('every option', () => {
    const args = parseLoadArgs(['mcas', '--processes', '2', '--workers', '16', '--locations', '10', '--per', '3', '--seconds', '1.5', '--servers', 'a:1, b:2']);
    expect(args).toMatchObject({ processes: 2, workers: 16, locations: 10, per: 3, seconds: 1.5, servers: ['a:1', 'b:2'] });
  });

  test('deque options', () => {
    const args = parseLoadArgs(['deque', '--producers', '3', '--consumers', '1', '--concurrency', '16', '--value-size', '1000']);
    expect(args).toMatchObject({ test: 'deque', producers: 3, consumers: 1, workers: 16, valueSize: 1000 });
  });

  test('linearizability options', () => {
    const args = parseLoadArgs(['linearizability', '--clients', '3', '--ops', '20', '--fault-rate', '0.1', '--flush-bytes', '64', '--seed', '7', '--save-dir', '/tmp', '--permissive', '--combine']);
    expect(args).toMatchObject({ test: 'linearizability', clients: 3, ops: 20, faultRate: 0.1, flushBytes: 64, seed: 7, saveDir: '/tmp', permissive: true, combine: true });
  });

  test.each([
    [['linearizability', '--fault-rate', '2'], /--fault-rate/],
    [['linearizability', '--seed', '-1'], /--seed/],
    [['mcas', '--processes', '0'], /--processes/],
    [['mcas', '--workers', '1.5'], /--workers/],
    [['mcas', '--seconds', 'x'], /--seconds/],
    [['mcas', '--per', '6', '--locations', '5'], /cannot exceed/],
    [['mcas', '--servers', 'nohost'], /--servers/],
    [['deque', '--value-size', '0'], /--value-size/],
    [['deque', '--workers', '2', '--concurrency', '4'], /same option/],
    [['mcas', 'deque'], /one test/],
    [['mcas', '--bogus'], /bogus/],
  ])('refuses %p', (argv, message) => {
    expect(() => parseLoadArgs(argv)).toThrow(message);
  });
});
