/**
 * A fresh npm project outside the workspace with the tarballs installed
 * (`npm install a.tgz b.tgz …`: their dependencies on each other resolve to
 * the tarballs, third-party ones like msgpackr come from the npm registry),
 * and the consumers that use it: an ES module, a CommonJS script, and
 * TypeScript files checked under node16 (ESM and CJS) and bundler resolution.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './public-packages';

/** Creates the project in `dir` and installs the tarballs into it. */
export function installTarballs(dir: string, tarballs: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'mcc-consumer', version: '1.0.0', private: true }, null, 2)}\n`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
}

const FIXTURES = path.join(__dirname, '..', 'fixtures');

/** What both JavaScript consumers print. */
export const CONSUMER_OUTPUT = { popped: ['first', { n: 1 }, null], exists: 'MCC_ERR_DEQUE_EXISTS', swapped: true, raw: true, encoded: true, invalid: 'MCC_ERR_INVALID_KEY' };

/** What the consumers import: [names, package] (popLeft of an empty deque is undefined, which JSON prints as null). */
const IMPORTS: readonly [string, string][] = [
  ['{ connect, Deque, DequeExistsError }', '@mcc/deque'],
  ['{ mcas, mcasGetMulti }', '@mcc/mcas'],
  ['{ msgpackCodec }', '@mcc/codec'],
  ['{ Client, validateKey }', '@mcc/protocol'],
];

/** The ES module and the CommonJS script: the same body after `import` / `require`. */
export function writeJsConsumers(dir: string): { esm: string; cjs: string } {
  const body = readFileSync(path.join(FIXTURES, 'consumer-body.js'), 'utf8');
  const esm = path.join(dir, 'consumer.mjs');
  const cjs = path.join(dir, 'consumer.cjs');
  writeFileSync(esm, `${IMPORTS.map(([names, from]) => `import ${names} from ${JSON.stringify(from)};`).join('\n')}\n${body}`);
  const requires = IMPORTS.map(([names, from]) => `const ${names} = require(${JSON.stringify(from)});`).join('\n');
  writeFileSync(cjs, `${requires}\n(async () => {\n${body}})().catch((error) => { process.stderr.write(String(error?.stack ?? error)); process.exit(1); });\n`);
  return { esm, cjs };
}

export interface TsSetup {
  readonly label: string;
  readonly tsconfig: string;
}

/** tsconfigs and sources for node16 (an .mts and a .cts file: ESM and CommonJS) and bundler resolution. */
export function writeTypeScriptConsumers(dir: string): TsSetup[] {
  const typed = readFileSync(path.join(FIXTURES, 'typed-consumer.ts'), 'utf8');
  mkdirSync(path.join(dir, 'ts-node16'), { recursive: true });
  mkdirSync(path.join(dir, 'ts-bundler'), { recursive: true });
  writeFileSync(path.join(dir, 'ts-node16', 'consumer.mts'), typed);
  writeFileSync(path.join(dir, 'ts-node16', 'consumer.cts'), typed);
  writeFileSync(path.join(dir, 'ts-bundler', 'consumer.ts'), typed);
  const strict = {
    strict: true,
    exactOptionalPropertyTypes: true,
    noEmit: true,
    skipLibCheck: false,
    target: 'ES2022',
    lib: ['ES2022'],
    types: ['node'],
    typeRoots: [path.join(REPO_ROOT, 'node_modules', '@types')],
  };
  const configs: Array<[string, string, object]> = [
    ['node16', 'ts-node16', { ...strict, module: 'node16', moduleResolution: 'node16' }],
    ['bundler', 'ts-bundler', { ...strict, module: 'esnext', moduleResolution: 'bundler' }],
  ];
  return configs.map(([label, sub, compilerOptions]) => {
    const tsconfig = path.join(dir, `tsconfig.${label}.json`);
    writeFileSync(tsconfig, `${JSON.stringify({ compilerOptions, include: [`${sub}/*`] }, null, 2)}\n`);
    return { label, tsconfig };
  });
}

/** tsc from the workspace (the consumers' own TypeScript would be the same compiler). */
export const TSC = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
