/**
 * The server kinds a block can ask for: each starts what it says (a `tls`
 * server speaks only TLS, a `mutual-tls` one wants a client certificate, a
 * `sasl` one only lets in its user) and gives the block what it needs to
 * connect — the certificates in its working directory, the password in its
 * environment — and a block that ignores them fails, as a user's program
 * would. Working directories are the blocks' own: files do not leak.
 */
import { prepareBlocksDir, runBlock, SASL_PASSWORD_ENV, SASL_USERNAME, type BlockRun } from '../src';
import { fakeBlock } from './fake-block';

let dir = '';
beforeAll(() => {
  dir = prepareBlocksDir('server-kinds');
});

const run = (source: string): Promise<BlockRun> => runBlock(fakeBlock(source), dir);

/** What a test compares: how the block ended, its failed checks, and stderr only when it failed. */
const outcome = (result: BlockRun) => ({ timedOut: result.timedOut, exitCode: result.exitCode, mismatches: result.mismatches, stderr: result.exitCode === 0 ? '' : result.stderr });
const SUCCEEDED = { timedOut: false, exitCode: 0, mismatches: [], stderr: '' };

const roundTrip = "await client.set('k', 'v');\n(await client.get('k'))?.value.toString(); //=> 'v'\nawait client.close();\n";

describe('tls', () => {
  test('a block reading ca.pem from its directory talks TLS to the server, verified', async () => {
    const result = await run(
      "// docs-test: kind=tls\nimport { readFileSync } from 'node:fs';\nimport { Client } from '@mcc/protocol';\n" +
        "const client = new Client(['127.0.0.1:11211'], { tls: { ca: readFileSync('ca.pem') } });\n" +
        roundTrip,
    );
    expect(outcome(result)).toEqual(SUCCEEDED);
  });

  test('a block that connects without tls fails with the ConnectionError a -Z server gives', async () => {
    const result = await run("// docs-test: kind=tls\nimport { Client } from '@mcc/protocol';\nconst client = new Client(['127.0.0.1:11211'], { connectTimeoutMs: 2000 });\n" + roundTrip);
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/ConnectionError: .*requires TLS \(memcached -Z\)/);
  });
});

describe('mutual-tls', () => {
  const withCertificate = (tls: string): string =>
    "// docs-test: kind=mutual-tls\nimport { readFileSync } from 'node:fs';\nimport { Client } from '@mcc/protocol';\n" +
    `const client = new Client(['127.0.0.1:11211'], { tls: ${tls} });\n` +
    roundTrip;

  test("a block showing client-cert.pem and client-key.pem is served", async () => {
    const result = await run(withCertificate("{ ca: readFileSync('ca.pem'), cert: readFileSync('client-cert.pem'), key: readFileSync('client-key.pem') }"));
    expect(outcome(result)).toEqual(SUCCEEDED);
  });

  test('a block with the CA alone is refused: the server demands a client certificate', async () => {
    const result = await run(withCertificate("{ ca: readFileSync('ca.pem') }"));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/ConnectionError: .*TLS handshake failed: the server refused this client.s certificate or requires one/);
  });
});

describe('sasl', () => {
  const withPassword = (password: string): string =>
    `// docs-test: kind=sasl\nimport { Client } from '@mcc/protocol';\nconst client = new Client(['127.0.0.1:11211'], { protocol: 'binary', sasl: { username: '${SASL_USERNAME}', password: ${password} } });\n` +
    roundTrip;

  test(`a block logging in as ${SASL_USERNAME} with process.env.${SASL_PASSWORD_ENV} is served`, async () => {
    const result = await run(withPassword(`process.env.${SASL_PASSWORD_ENV}!`));
    expect(outcome(result)).toEqual(SUCCEEDED);
  });

  test('a block with another password is refused (AuthenticationError), and each block has a password of its own', async () => {
    const refused = await run(withPassword("'guess'"));
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/AuthenticationError: .*refused the SASL PLAIN credentials of user "app"/);
    // One after the other: the two blocks have the same source, so the same scratch directory.
    const printPassword = `// docs-test: kind=sasl servers=1\nconsole.log(process.env.${SASL_PASSWORD_ENV});\n`;
    const first = (await run(printPassword)).stdout.trim();
    const second = (await run(printPassword)).stdout.trim();
    expect(first).toMatch(/^\S{12,}$/);
    expect(second).not.toBe(first);
  });

  test('a block without credentials is told the server requires SASL', async () => {
    const result = await run("// docs-test: kind=sasl\nimport { Client } from '@mcc/protocol';\nconst client = new Client(['127.0.0.1:11211'], { protocol: 'binary' });\n" + roundTrip);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/AuthenticationError: .*requires SASL authentication/);
  });
});

describe('authfile', () => {
  const withAuth = (auth: string): string =>
    `// docs-test: kind=authfile\nimport { Client } from '@mcc/protocol';\nconst client = new Client(['127.0.0.1:11211'], { protocol: 'meta'${auth} });\n` + roundTrip;

  test(`a block logging in as ${SASL_USERNAME} with process.env.${SASL_PASSWORD_ENV} is served`, async () => {
    expect(outcome(await run(withAuth(`, auth: { username: '${SASL_USERNAME}', password: process.env.${SASL_PASSWORD_ENV}! }`)))).toEqual(SUCCEEDED);
  });

  test('a block without credentials is told the server requires authentication', async () => {
    const result = await run(withAuth(''));
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/AuthenticationError: .*requires authentication \(memcached -Y authfile\)/);
  });
});

test("a block runs in a directory of its own: a plain block does not see a tls block's ca.pem", async () => {
  const look = "import { existsSync } from 'node:fs';\nexistsSync('ca.pem'); //=> ";
  expect(outcome(await run(`// docs-test: kind=tls servers=1\n${look}true\n`))).toEqual(SUCCEEDED);
  expect(outcome(await run(`${look}false\n`))).toEqual(SUCCEEDED);
});

test('an unknown kind is an error naming the known ones', async () => {
  await expect(run('// docs-test: kind=ssl\nconst x = 1;\n')).rejects.toThrow(/unknown server kind "ssl" \(known: plain, tls, mutual-tls, sasl, authfile\)/);
});
