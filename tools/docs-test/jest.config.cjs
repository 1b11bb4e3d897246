/**
 * One test per README code block: each runs as its own node process against
 * memcached started by @mcc/harness. The packages the blocks import resolve
 * to their built dist/ (turbo builds them first).
 */
module.exports = {
  ...require('../../jest.preset.cjs'),
  testTimeout: 60_000,
  // One file at a time: docker-readme.test.ts runs the protocol package's whole
  // suite as a child (in band), whose timing tests (a fast failure under 50 ms
  // during a back-off) failed beside another file.
  maxWorkers: 1,
};
