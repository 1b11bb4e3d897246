/**
 * The runner itself: each way a README block can be wrong is caught — a
 * `//=>` that does not hold, a program that never exits, a type error under
 * exactOptionalPropertyTypes, an unlabeled fence, a directive typo — and
 * example addresses (with weights) reach the servers started for the block.
 */
import { blockProgram, exampleAddresses, fencedBlocks, fenceFindings, parseDirectives, prepareBlocksDir, runBlock, typecheckBlocks } from '../src';
import { fakeBlock as block } from './fake-block';

const fence = '```';

let dir = '';
beforeAll(() => {
  dir = prepareBlocksDir('runner-test');
});

test('a //=> that holds passes, one that does not is reported with its README line', async () => {
  const result = await runBlock(block("import { Client } from '@mcc/protocol';\nconst c = new Client(['127.0.0.1:11211']);\nawait c.set('k', 'v');\n(await c.get('k'))?.value.toString(); //=> 'v'\nconst n = 1 + 1; //=> 3\nawait c.close();\n"), dir);
  expect(result.mismatches).toEqual(["FAKE.md:15: const n = 1 + 1 gave 2, the README says 3"]);
  expect(result.exitCode).toBe(1);
  expect(result.timedOut).toBe(false);
});

test('a program that leaves a client open is killed at its timeout and reported', async () => {
  const result = await runBlock(block("// docs-test: timeout=2\nimport { Client } from '@mcc/protocol';\nconst c = new Client(['127.0.0.1:11211']);\nawait c.get('k');\n"), dir);
  expect(result.timedOut).toBe(true);
  expect(result.elapsedMs).toBeGreaterThanOrEqual(2000);
});

test('type errors under exactOptionalPropertyTypes are reported at their README line', () => {
  const bad = block("import { Client } from '@mcc/protocol';\nconst c = new Client(['127.0.0.1:11211']);\nconst item = await c.get('k');\nawait c.set('k', '1', { cas: item?.cas });\n", 20);
  const good = block("const n: number = 1;\nexport { n };\n", 40);
  const found = typecheckBlocks([bad, good], dir);
  expect(found.get(bad.id)).toEqual([expect.stringMatching(/^FAKE\.md:24: .*exactOptionalPropertyTypes/)]);
  expect(found.get(good.id)).toEqual([]);
});

test('example addresses map to the started servers in order, weights kept; comments untouched', () => {
  const source = "const a = ['10.0.0.1:11211', '10.0.0.2:11211:2', '10.0.0.1:11211']; // '10.0.0.9:1'\n";
  expect(exampleAddresses(source)).toEqual(['10.0.0.1:11211', '10.0.0.2:11211']);
  const program = blockProgram(source, 'FAKE.md', 1, ['127.0.0.1:5000', '127.0.0.1:5001']);
  expect(program).toContain('["127.0.0.1:5000", "127.0.0.1:5001:2", "127.0.0.1:5000"]');
  expect(program).toContain("'10.0.0.9:1'");
  expect(() => blockProgram(source, 'FAKE.md', 1, ['127.0.0.1:5000'])).toThrow(/names 2 addresses but 1 server/);
});

test('a //=> after something without a value is refused', () => {
  expect(() => blockProgram('if (true) {} //=> 1\n', 'FAKE.md', 1, [])).toThrow(/must follow an expression statement/);
});

test('fences: unlabeled and other names for code are findings; labeled ones are not', () => {
  const blocks = fencedBlocks('FAKE.md', `${fence}\nconst x = 1;\n${fence}\n${fence}js\nx\n${fence}\n  ${fence}sh\n  ls\n  ${fence}\n${fence}text\nok\n${fence}\n`);
  expect(blocks.map((b) => b.language)).toEqual(['', 'js', 'sh', 'text']);
  expect(blocks.flatMap(fenceFindings)).toEqual([expect.stringMatching(/^FAKE\.md:1: the fence names no language/), expect.stringMatching(/^FAKE\.md:4: ```js/)]);
  expect(() => fencedBlocks('FAKE.md', `${fence}ts\nconst x = 1;\n`)).toThrow(/never closed/);
});

test('directives: parsed, and typos or missing reasons are errors', () => {
  expect(parseDirectives('// docs-test: servers=3 flags="-M -m 64" timeout=20\n// docs-test: kind=plain\ncode\n// docs-test: servers=9\n', 'X')).toEqual({
    servers: 3,
    kind: 'plain',
    flags: ['-M', '-m', '64'],
    timeoutSeconds: 20,
    noRun: null,
  });
  expect(parseDirectives('// docs-test: no-run="shell only"\n', 'X').noRun).toBe('shell only');
  expect(() => parseDirectives('// docs-test: server=3\n', 'X')).toThrow(/unknown docs-test directive "server"/);
  expect(() => parseDirectives('// docs-test: no-run=""\n', 'X')).toThrow(/needs a reason/);
  expect(() => parseDirectives('// docs-test: servers=three\n', 'X')).toThrow(/want a count/);
  expect(() => parseDirectives('// docs-test: servers=1 oops\n', 'X')).toThrow(/cannot read/);
});
