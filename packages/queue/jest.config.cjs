/** Unit tests beside the sources, integration tests against real memcached in test/. */
module.exports = require('../../jest.preset.cjs');
