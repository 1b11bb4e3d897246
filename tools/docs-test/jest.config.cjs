/** Unit tests beside the sources, integration tests against real memcached in test/. */
module.exports = {
  ...require('../../jest.preset.cjs'),
  // One file at a time: docker-readme.test.ts runs the protocol package's whole
  // suite as a child (itself one file at a time), whose timing tests (a fast
  // failure under 50 ms during a back-off) failed beside another file.
  maxWorkers: 1,
};
