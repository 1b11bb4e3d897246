/**
 * A fresh npm project outside the workspace with the tarballs installed
 * (`npm install a.tgz b.tgz …`: their dependencies on each other resolve to
 * the tarballs, third-party ones like msgpackr come from the npm registry),
 * and the consumers that use it: an ES module, a CommonJS script, and
 * TypeScript files checked under node16 (ESM and CJS) and bundler resolution.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './public-packages';

/** Creates the project in `dir` and installs the tarballs into it. */
export function installTarballs(dir: string, tarballs: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'mcc-consumer', version: '1.0.0', private: true }, null, 2)}\n`);
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
}

/** The same program in both module systems: the first line differs. */
function consumerBody(): string {
  return `
const server = process.env.MCC_TEST_SERVER;
const store = connect([server]);
const d = await Deque.create(store, 'consumer-' + process.pid);
await d.append({ n: 1 });
await d.appendLeft('first');
const popped = [await d.popLeft(), await d.popLeft(), await d.popLeft()];
let exists = null;
try { await Deque.create(store, d.name); } catch (error) { exists = error instanceof DequeExistsError ? error.code : String(error); }
await store.set('acct', 10);
const read = await mcasGetMulti(store, ['acct']);
const swapped = await mcas(store, [[read.get('acct'), 11]]);
const client = new Client([server]);
const raw = (await client.get('acct'))?.flags !== undefined;
const encoded = msgpackCodec.encode([1, 'two']).length > 0;
let invalid = null;
try { validateKey('has space'); } catch (error) { invalid = error.code; }
await client.close();
await store.close();
console.log(JSON.stringify({ popped, exists, swapped, raw, encoded, invalid }));
`;
}

/** What both JavaScript consumers print. */
export const CONSUMER_OUTPUT = { popped: ['first', { n: 1 }, null], exists: 'MCC_ERR_DEQUE_EXISTS', swapped: true, raw: true, encoded: true, invalid: 'MCC_ERR_INVALID_KEY' };

export function writeJsConsumers(dir: string): { esm: string; cjs: string } {
  const esm = path.join(dir, 'consumer.mjs');
  const cjs = path.join(dir, 'consumer.cjs');
  const imports = [
    ["{ connect, Deque, DequeExistsError }", '@mcc/deque'],
    ['{ mcas, mcasGetMulti }', '@mcc/mcas'],
    ['{ msgpackCodec }', '@mcc/codec'],
    ['{ Client, validateKey }', '@mcc/protocol'],
  ];
  // popLeft of an empty deque is undefined, which JSON prints as null in an array.
  writeFileSync(esm, `${imports.map(([names, from]) => `import ${names} from '${from}';`).join('\n')}\n${consumerBody()}`);
  writeFileSync(cjs, `${imports.map(([names, from]) => `const ${names} = require('${from}');`).join('\n')}\n(async () => {${consumerBody()}})().catch((error) => { console.error(error); process.exit(1); });\n`);
  return { esm, cjs };
}

/** TypeScript that uses the public types the way a strict user would. */
function typedConsumer(importLines: string): string {
  return `${importLines}
export async function main(servers: string[]): Promise<void> {
  const store: Store = connect(servers, { requestTimeoutMs: 1000 });
  const d = await Deque.create<{ id: number }>(store, undefined, { flushBytes: 4096, inlineMaxBytes: 1024 });
  await d.append({ id: 1 });
  const job: { id: number } | undefined = await d.popLeft();
  const report: DequeReport = await inspectDeque(store, d.name);
  const entries = await mcasGetMulti<number>(store, ['a', 'b']);
  const a: Entry<number> | undefined = entries.get('a');
  if (a !== undefined) await mcas(store, [[a, a.value + 1]], { descriptorTtlSeconds: 60 });
  const client = new Client(servers);
  const item = await client.get('k');
  const cas: bigint | null = item === null ? await client.add('k', '1') : await client.set('k', '2', { cas: item.cas, epoch: item.epoch });
  try {
    await Deque.create(store, d.name);
  } catch (error) {
    if (error instanceof DequeExistsError) console.log(error.code, job, report, cas);
  }
  await client.close();
  await store.close();
}
`;
}

export interface TsSetup {
  readonly label: string;
  readonly tsconfig: string;
}

/** tsconfigs and sources for node16 (an .mts and a .cts file: ESM and CommonJS) and bundler resolution. */
export function writeTypeScriptConsumers(dir: string): TsSetup[] {
  const esmImports = [
    "import { connect, Deque, DequeExistsError, inspectDeque, type DequeReport } from '@mcc/deque';",
    "import { mcas, mcasGetMulti } from '@mcc/mcas';",
    "import type { Entry, Store } from '@mcc/codec';",
    "import { Client } from '@mcc/protocol';",
  ].join('\n');
  mkdirSync(path.join(dir, 'ts-node16'), { recursive: true });
  mkdirSync(path.join(dir, 'ts-bundler'), { recursive: true });
  writeFileSync(path.join(dir, 'ts-node16', 'consumer.mts'), typedConsumer(esmImports));
  writeFileSync(path.join(dir, 'ts-node16', 'consumer.cts'), typedConsumer(esmImports));
  writeFileSync(path.join(dir, 'ts-bundler', 'consumer.ts'), typedConsumer(esmImports));
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
