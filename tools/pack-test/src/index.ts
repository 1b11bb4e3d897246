/**
 * @mcc/pack-test: the public packages as users get them — packed, installed
 * from their tarballs outside the workspace, and used from ESM, CommonJS and
 * strict TypeScript. See README.md.
 *
 * @packageDocumentation
 */
export { REPO_ROOT, pack, publicPackages, type PublicPackage } from './public-packages';
export { CONSUMER_OUTPUT, TSC, installTarballs, writeJsConsumers, writeTypeScriptConsumers, type TsSetup } from './consumer-project';
export { shippedFileProblems } from './shipped-files';
