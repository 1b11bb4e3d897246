/**
 * The packages users install: every `packages/*` whose manifest is not
 * private, packed exactly as `pnpm publish` would pack it (`workspace:*`
 * replaced by versions, the `prepack` build run, `files` applied).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** tools/pack-test/{src,dist} → the repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export interface PublicPackage {
  readonly name: string;
  readonly dir: string;
  readonly manifest: { readonly name: string; readonly bin?: Readonly<Record<string, string>>; readonly dependencies?: Readonly<Record<string, string>> };
}

export function publicPackages(root = REPO_ROOT): PublicPackage[] {
  const dir = path.join(root, 'packages');
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(dir, entry.name, 'package.json')))
    .map((entry) => {
      const manifest = JSON.parse(readFileSync(path.join(dir, entry.name, 'package.json'), 'utf8')) as PublicPackage['manifest'] & { private?: boolean };
      return { name: manifest.name, dir: path.join(dir, entry.name), manifest, private: manifest.private === true };
    })
    .filter((found) => !found.private)
    .map(({ name, dir: packageDir, manifest }) => ({ name, dir: packageDir, manifest }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** `pnpm pack` of one package into `destination`; returns the tarball's path. */
export function pack(pkg: PublicPackage, destination: string): string {
  const before = new Set(existsSync(destination) ? readdirSync(destination) : []);
  // prepack's build output goes to stderr; stdout ends with the tarball's path.
  const stdout = execFileSync('pnpm', ['pack', '--pack-destination', destination], { cwd: pkg.dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });
  const created = readdirSync(destination).filter((file) => file.endsWith('.tgz') && !before.has(file));
  if (created.length !== 1) throw new Error(`pnpm pack of ${pkg.name} made ${created.length} tarballs; its output: ${stdout}`);
  return path.join(destination, created[0]!);
}
