/**
 * Finds the code blocks of the repository's READMEs: the root README.md and
 * the README.md of every directory under packages/, tools/ and docker/.
 *
 * Every fence must name its language (```ts, ```sh, ```text …), so that no
 * TypeScript hides in an unlabeled block; JavaScript and TypeScript under
 * another name (```js, ```typescript, ```tsx …) are findings too: examples
 * are ```ts, and every ```ts block is type-checked and run (see README.md).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDirectives, type Directives } from './directives';

/** The directories whose subdirectories' READMEs are checked, beside the root README. */
const README_PARENTS = ['packages', 'tools', 'docker'];
/** Languages that must be written ```ts instead. */
const OTHER_NAMES_FOR_CODE = new Set(['js', 'javascript', 'typescript', 'tsx', 'jsx', 'mts', 'cts', 'mjs', 'cjs', 'node']);

export interface CodeBlock {
  /** The README, relative to the repository root, e.g. `packages/deque/README.md`. */
  readonly readme: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The fence's info string (its first word), e.g. `ts`. */
  readonly language: string;
  /** The block's text, its indentation (a fence inside a list) removed. */
  readonly source: string;
}

export interface TsBlock extends CodeBlock {
  readonly directives: Directives;
  /** A file-name-safe id, unique in the repository: `packages-deque-README-L13`. */
  readonly id: string;
}

/** The repository root: tools/docs-test/{src,dist} → ../../.. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Every README this test covers, relative to the root, sorted. */
export function readmePaths(root = REPO_ROOT): string[] {
  const found = ['README.md'];
  for (const parent of README_PARENTS) {
    const dir = path.join(root, parent);
    if (parent === 'docker') {
      if (existsSync(path.join(dir, 'README.md'))) found.push('docker/README.md');
      continue;
    }
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && existsSync(path.join(dir, entry.name, 'README.md'))) found.push(`${parent}/${entry.name}/README.md`);
    }
  }
  return found.sort();
}

/** The fenced blocks of one Markdown text; an unterminated fence is an error. */
export function fencedBlocks(readme: string, text: string): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[i]!);
    if (open === null) continue;
    const [, indent, fence, language] = open as unknown as [string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j]!;
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') break;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    if (j === lines.length) throw new Error(`${readme}:${i + 1}: the code fence is never closed`);
    blocks.push({ readme, line: i + 1, language, source: `${body.join('\n')}\n` });
    i = j;
  }
  return blocks;
}

/** Problems with a block's fence that would let code escape the test. */
export function fenceFindings(block: CodeBlock): string[] {
  const where = `${block.readme}:${block.line}`;
  if (block.language === '') return [`${where}: the fence names no language; write \`\`\`ts for code (then it is tested) or \`\`\`text / \`\`\`sh / … for the rest`];
  if (OTHER_NAMES_FOR_CODE.has(block.language.toLowerCase())) return [`${where}: \`\`\`${block.language}: write examples as \`\`\`ts, which is type-checked and run`];
  return [];
}

/** Every code block of every covered README. */
export function allBlocks(root = REPO_ROOT): CodeBlock[] {
  return readmePaths(root).flatMap((readme) => fencedBlocks(readme, readFileSync(path.join(root, readme), 'utf8')));
}

/** The ```ts blocks, with their directives parsed (which throws on a bad directive). */
export function tsBlocks(blocks: readonly CodeBlock[]): TsBlock[] {
  return blocks
    .filter((block) => block.language === 'ts')
    .map((block) => ({
      ...block,
      directives: parseDirectives(block.source, `${block.readme}:${block.line}`),
      id: `${block.readme.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-')}-L${block.line}`,
    }));
}
