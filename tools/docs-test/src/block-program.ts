/**
 * Turns a README block into the program that runs: the example addresses in
 * its string literals replaced by the servers started for it, each
 * `//=> expected` comment turned into a check, and the whole transpiled to
 * an ES module (the blocks use top-level await, as users' ESM code does).
 *
 * Addresses: every `host:port` (an IPv4 address or `localhost`, optionally
 * followed by `:weight`) inside a string literal, in order of first
 * appearance, maps to the next started server; the same example address
 * always maps to the same server. Comments are not rewritten.
 *
 * Checks: a statement followed on its line by `//=> EXPR` — an expression
 * statement (`await d.pop(); //=> 5`) or a declaration of one name
 * (`const n = await d.length(); //=> 2`) — compares the statement's value
 * with the JavaScript expression EXPR (util.isDeepStrictEqual, so `1n`,
 * `undefined`, arrays and objects work). A mismatch is reported on stderr
 * with the README line and fails the block; the program goes on, so it
 * still closes its clients and exits.
 */
import * as ts from 'typescript';

const ADDRESS = /\b((?:\d{1,3}\.){3}\d{1,3}|localhost):(\d{1,5})\b/g;
/** Marks a mismatch on stderr, for the test to pick out. */
export const MISMATCH_MARK = 'docs-test mismatch:';

/** The distinct example addresses in the block's string literals, in order. */
export function exampleAddresses(source: string): string[] {
  const seen: string[] = [];
  visitStrings(source, (node) => {
    for (const match of node.text.matchAll(ADDRESS)) if (!seen.includes(match[0])) seen.push(match[0]);
  });
  return seen;
}

function visitStrings(source: string, visit: (node: ts.StringLiteral | ts.NoSubstitutionTemplateLiteral) => void): ts.SourceFile {
  const file = ts.createSourceFile('block.ts', source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const walk = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) visit(node);
    ts.forEachChild(node, walk);
  };
  walk(file);
  return file;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function applyEdits(source: string, edits: Edit[]): string {
  let out = source;
  for (const edit of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}

/** Address literals rewritten to `servers` (by order of first appearance). */
function addressEdits(source: string, servers: readonly string[]): Edit[] {
  const order = exampleAddresses(source);
  if (order.length > servers.length) throw new Error(`the block names ${order.length} addresses but ${servers.length} server(s) were started (servers=N)`);
  const edits: Edit[] = [];
  visitStrings(source, (node) => {
    const rewritten = node.text.replace(ADDRESS, (address) => servers[order.indexOf(address)]!);
    if (rewritten !== node.text) edits.push({ start: node.getStart(), end: node.getEnd(), text: JSON.stringify(rewritten) });
  });
  return edits;
}

/** `//=>` comments turned into checks; @throws Error when one follows something that has no value. */
function expectationEdits(source: string, readmeLine: (offset: number) => number): Edit[] {
  const file = ts.createSourceFile('block.ts', source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const edits: Edit[] = [];
  const walk = (node: ts.Node): void => {
    if (ts.isExpressionStatement(node) || ts.isVariableStatement(node)) {
      for (const range of ts.getTrailingCommentRanges(source, node.getEnd()) ?? []) {
        const comment = source.slice(range.pos, range.end);
        if (!comment.startsWith('//=>')) continue;
        const expected = comment.slice(4).trim();
        const line = readmeLine(node.getStart());
        const shown = JSON.stringify(node.getText().replace(/;$/, ''));
        if (ts.isExpressionStatement(node)) {
          edits.push({ start: node.getStart(), end: node.getEnd(), text: `__docsExpect((${node.expression.getText()}), (${expected}), ${line}, ${shown});` });
        } else {
          const declarations = node.declarationList.declarations;
          const only = declarations.length === 1 ? declarations[0]! : undefined;
          if (only === undefined || !ts.isIdentifier(only.name)) throw new Error(`README line ${line}: //=> after a declaration needs exactly one plain name`);
          edits.push({ start: node.getEnd(), end: node.getEnd(), text: ` __docsExpect(${only.name.text}, (${expected}), ${line}, ${shown});` });
        }
      }
    }
    ts.forEachChild(node, walk);
  };
  walk(file);
  const stray = [...source.matchAll(/\/\/=>/g)].length;
  if (stray !== edits.length) throw new Error(`a //=> comment must follow an expression statement or a declaration on its own line (${stray} found, ${edits.length} usable)`);
  return edits;
}

function checkHelper(readme: string): string {
  return [
    "import { inspect as __docsInspect, isDeepStrictEqual as __docsEqual } from 'node:util';",
    'function __docsExpect(actual, expected, line, shown) {',
    '  if (__docsEqual(actual, expected)) return;',
    `  process.stderr.write(\`${MISMATCH_MARK} ${readme}:\${line}: \${shown} gave \${__docsInspect(actual)}, the README says \${__docsInspect(expected)}\\n\`);`,
    '  process.exitCode = 1;',
    '}',
  ].join('\n');
}

/**
 * The ES module to run for a block that starts at `blockLine` of `readme`
 * (its first source line is `blockLine + 1`).
 */
export function blockProgram(source: string, readme: string, blockLine: number, servers: readonly string[]): string {
  // Two passes (a checked statement may hold an address); neither adds a line.
  const addressed = applyEdits(source, addressEdits(source, servers));
  const lines = ts.createSourceFile('block.ts', addressed, ts.ScriptTarget.ES2022);
  const readmeLine = (offset: number): number => blockLine + 1 + lines.getLineAndCharacterOfPosition(offset).line;
  const withChecks = applyEdits(addressed, expectationEdits(addressed, readmeLine));
  const output = ts.transpileModule(withChecks, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    reportDiagnostics: false,
  }).outputText;
  // Imports are hoisted: the helper goes last, so the block keeps its line numbers in stack traces.
  return `${output}\n${checkHelper(readme)}\n`;
}
