/**
 * @mcc/docs-test: the README code blocks as tests. See README.md for the
 * conventions a block follows.
 *
 * @packageDocumentation
 */
export { allBlocks, fenceFindings, fencedBlocks, readmePaths, REPO_ROOT, tsBlocks, type CodeBlock, type TsBlock } from './readme-blocks';
export { DEFAULT_TIMEOUT_SECONDS, parseDirectives, type Directives } from './directives';
export { blockProgram, exampleAddresses, MISMATCH_MARK } from './block-program';
export { runBlock, type BlockRun } from './run-block';
export { SASL_PASSWORD_ENV, SASL_USERNAME, SERVER_KINDS, startServers, TLS_FILES, type BlockServers, type ServerKind } from './server-kinds';
export { BLOCK_COMPILER_OPTIONS, typecheckBlocks } from './typecheck';
export { BLOCKS_DIR, prepareBlocksDir, workspacePackages } from './workspace';
