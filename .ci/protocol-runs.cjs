// Which packages' suites run a second time on the meta protocol: every package
// built on @mcc/protocol (turbo's `...@mcc/protocol`) except these, whose
// tests speak to no server — the pack test packs and installs tarballs, so a
// second run would only repeat the first. Read by .ci/test-protocols.cjs (what
// runs) and .ci/jest-totals.cjs (what results it expects).
module.exports = { META_SKIPPED: ['@mcc/pack-test'] };
