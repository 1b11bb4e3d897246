/**
 * Type-checks every ```ts block in one TypeScript program, as a user's
 * strictest ESM project would: `.mts` files, `module: node16`, `strict`,
 * `exactOptionalPropertyTypes`, and the packages' published declarations
 * checked too (no skipLibCheck). jest's globals are declared, so a README
 * showing a jest test (a no-run block) type-checks as well.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import { REPO_ROOT, type TsBlock } from './readme-blocks';

export const BLOCK_COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts'],
  strict: true,
  exactOptionalPropertyTypes: true,
  noEmit: true,
  skipLibCheck: false,
  types: ['node', 'jest'],
  typeRoots: [path.join(REPO_ROOT, 'node_modules', '@types')],
};

/** Diagnostics per block id, each as `README.md:LINE: message`; an empty list when it checks. */
export function typecheckBlocks(blocks: readonly TsBlock[], dir: string): Map<string, string[]> {
  const files = new Map<string, TsBlock>();
  for (const block of blocks) {
    const file = path.join(dir, `${block.id}.mts`);
    writeFileSync(file, block.source);
    files.set(path.resolve(file), block);
  }
  const program = ts.createProgram([...files.keys()], BLOCK_COMPILER_OPTIONS);
  const result = new Map<string, string[]>(blocks.map((block) => [block.id, []]));
  const other: string[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const block = diagnostic.file === undefined ? undefined : files.get(path.resolve(diagnostic.file.fileName));
    if (block === undefined || diagnostic.file === undefined || diagnostic.start === undefined) {
      other.push(`${diagnostic.file?.fileName ?? '(global)'}: ${message}`);
      continue;
    }
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    result.get(block.id)!.push(`${block.readme}:${block.line + 1 + line}: ${message}`);
  }
  // A declaration file that fails under these options fails every block: users importing it see the same.
  if (other.length > 0) for (const list of result.values()) list.push(...other);
  return result;
}
