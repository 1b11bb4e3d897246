/**
 * The tests run the built CLI (dist/bin.js) as a child process against
 * memcached started by @mcc/harness: build first (turbo's `test` depends on `build`).
 */
module.exports = {
  ...require('../../jest.preset.cjs'),
  testTimeout: 60_000,
};
