/**
 * The scratch directory the blocks are written to and run from:
 * `tools/docs-test/.blocks/` (git-ignored), with a `node_modules/` that links
 * every workspace package by its name. So a block imports `@mcc/deque` (or a
 * package added next month) exactly as a user's program does, resolved
 * through the package's `exports` to its built `dist/`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './readme-blocks';

export const BLOCKS_DIR = path.join(REPO_ROOT, 'tools', 'docs-test', '.blocks');

/** name → directory of every package under packages/ and tools/. */
export function workspacePackages(root = REPO_ROOT): Map<string, string> {
  const found = new Map<string, string>();
  for (const group of ['packages', 'tools']) {
    const dir = path.join(root, group);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const manifest = path.join(dir, entry.name, 'package.json');
      if (!entry.isDirectory() || !existsSync(manifest)) continue;
      found.set((JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name, path.join(dir, entry.name));
    }
  }
  return found;
}

/**
 * Empties `.blocks/<name>/` and links the workspace packages into its
 * node_modules; one directory per test file, so files running in parallel
 * never share one.
 */
export function prepareBlocksDir(name: string): string {
  const dir = path.join(BLOCKS_DIR, name);
  rmSync(dir, { recursive: true, force: true });
  for (const [packageName, packageDir] of workspacePackages()) {
    const link = path.join(dir, 'node_modules', ...packageName.split('/'));
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(packageDir, link, 'dir');
  }
  return dir;
}
