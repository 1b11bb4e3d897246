/**
 * Every code block of every README (root, packages/*, tools/*, docker/):
 * fences name their language, and every ```ts block type-checks under
 * `--strict --exactOptionalPropertyTypes` and — unless it says
 * `// docs-test: no-run="why"` — runs against its own memcached, passes its
 * `//=>` checks and exits on its own. See README.md for the conventions.
 */
import { allBlocks, fenceFindings, prepareBlocksDir, runBlock, tsBlocks, typecheckBlocks, type TsBlock } from '../src';

const blocks = allBlocks();
const ts = tsBlocks(blocks);
let dir = '';
let diagnostics = new Map<string, string[]>();

beforeAll(() => {
  dir = prepareBlocksDir('readmes');
  diagnostics = typecheckBlocks(ts, dir);
}, 60_000);

test('the READMEs have ts blocks to test (the discovery works)', () => {
  expect(ts.length).toBeGreaterThanOrEqual(10);
  expect(new Set(ts.map((block) => block.readme))).toContain('README.md');
});

test('every fence names its language, and code is written ```ts', () => {
  expect(blocks.flatMap(fenceFindings)).toEqual([]);
});

describe.each(ts.map((block): [string, TsBlock] => [`${block.readme}:${block.line}`, block]))('%s', (_where, block) => {
  test('type-checks (strict, exactOptionalPropertyTypes, node16)', () => {
    expect(diagnostics.get(block.id)).toEqual([]);
  });

  if (block.directives.noRun !== null) {
    test(`is type-checked only: ${block.directives.noRun}`, () => {
      expect(block.directives.noRun!.length).toBeGreaterThan(0);
    });
    return;
  }
  test('runs, passes its //=> checks and exits on its own', async () => {
    const result = await runBlock(block, dir);
    expect({ timedOut: result.timedOut, mismatches: result.mismatches, exitCode: result.exitCode, stderr: result.exitCode === 0 ? '' : result.stderr }).toEqual({
      timedOut: false,
      mismatches: [],
      exitCode: 0,
      stderr: '',
    });
  });
});
