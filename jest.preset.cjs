/**
 * Shared jest configuration for every workspace package.
 *
 * ts-jest only transpiles (type checking is `tsc`'s job in `build`/`typecheck`),
 * which keeps the suite fast. Other @mcc packages resolve through their
 * `exports` to the built `dist/`, exactly as users see them; turbo builds them
 * first (`test` depends on `^build`).
 */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30_000,
  // Real memcached processes and sockets: never leave a test worker behind.
  forceExit: false,
  // At least two test files at a time, also on a 2-core machine (jest's default
  // is one per core but one): most integration tests wait on sockets, leases
  // and timers rather than compute, so a second worker shortens `pnpm test`
  // by about a fifth there.
  maxWorkers: Math.max(2, require('node:os').availableParallelism() - 1),
};
