/**
 * One test per README code block: each runs as its own node process against
 * memcached started by @mcc/harness. The packages the blocks import resolve
 * to their built dist/ (turbo builds them first).
 */
module.exports = {
  ...require('../../jest.preset.cjs'),
  testTimeout: 60_000,
};
