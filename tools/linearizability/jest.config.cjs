/** Self-tests of the checker and its models; no server needed. */
module.exports = require('../../jest.preset.cjs');
