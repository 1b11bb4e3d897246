/** Unit tests beside the sources, integration tests against real memcached in test/. */
module.exports = {
  ...require('../../jest.preset.cjs'),
  // One file at a time: the crash test's eight processes need the machine to
  // themselves on 2 cores (beside another file under load they missed its
  // 110 s bound, and the lease timings of queue.test.ts failed beside them).
  maxWorkers: 1,
};
