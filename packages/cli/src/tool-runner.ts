/**
 * Runs another workspace tool (tools/bench, tools/load) as a child process
 * with the remaining arguments: its built entry point is found through its
 * package.json (`bin`, else `main`), so nothing here lists its files.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CliError } from './cli-error';

/** The workspace's tools/, from packages/cli/dist/ (or src/ under ts-jest); absent in an installed @mcc/cli. */
const TOOLS_DIR = path.resolve(__dirname, '..', '..', '..', 'tools');

interface ToolManifest {
  name?: string;
  bin?: string | Record<string, string>;
  main?: string;
}

/**
 * The absolute path of a tool's built entry point.
 * @throws CliError MCC_ERR_CLI_TOOL_NOT_BUILT when the tool or its build is missing
 */
export function toolEntry(tool: string, toolsDir = TOOLS_DIR): string {
  const directory = path.join(toolsDir, tool);
  const manifestPath = path.join(directory, 'package.json');
  if (!existsSync(manifestPath)) {
    throw new CliError('MCC_ERR_CLI_TOOL_NOT_BUILT', `tools/${tool} is not here (no ${manifestPath}): mcc ${tool} runs inside a clone of the mcc repository`, {
      hint: 'clone the repository and run it there: pnpm mcc ' + tool + ' …',
    });
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ToolManifest;
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin === undefined ? undefined : Object.values(manifest.bin)[0];
  const relative = bin ?? manifest.main ?? 'dist/index.js';
  const entry = path.resolve(directory, relative);
  if (!existsSync(entry)) {
    const name = manifest.name ?? `tools/${tool}`;
    throw new CliError('MCC_ERR_CLI_TOOL_NOT_BUILT', `${name} is not built (${entry} is missing)`, { hint: `build it: pnpm --filter ${name}... build (or pnpm build)` });
  }
  return entry;
}

/**
 * Runs `node <entry> ...args` with our stdio; resolves to its exit code.
 * SIGINT/SIGTERM sent to us are passed on (a terminal's Ctrl-C reaches it anyway).
 */
export function runTool(entry: string, args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals): void => {
      child.kill(signal);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const cleanup = (): void => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
    };
    child.once('error', (error) => {
      cleanup();
      reject(error);
    });
    child.once('exit', (code, signal) => {
      cleanup();
      resolve(code ?? (signal === 'SIGINT' ? 130 : 1));
    });
  });
}
