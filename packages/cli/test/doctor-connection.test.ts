/**
 * `mcc doctor` on servers reached in different ways — plain, TLS (`-Z`),
 * SASL (`-S`), binary refused (`-B ascii`) — and the connection options
 * every command takes (through open-command.ts), on real memcached.
 * Tests that depend on the protocol pass --protocol, so they hold in both
 * test runs (MCC_PROTOCOL=binary and =meta).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { rawTextRequest, startMemcached, testCertificates, type MemcachedServer } from '@mcc/harness';
import { runCli } from './run-cli';

const user = { username: 'alice', password: 'correct horse' };
/** memcached's authfile takes one token for the password: no spaces. */
const authUser = { username: 'alice', password: 'correct-horse' };
const settled = { evictions: false, memoryMb: 1024, itemSizeMax: '2m' } as const;

interface DoctorJson {
  ok: boolean;
  servers: {
    server: string;
    reachable: boolean;
    connection: {
      protocol: string;
      otherProtocol: { protocol: string; works: boolean | null; reason?: string };
      tls: { enabled: boolean; details?: { version: string; cipher: string; subject: string; issuer: string; authorized: boolean; daysLeft: number; validTo: string }; serverSpeaksTls?: object };
      auth: { state: string; user?: string };
    };
    findings: { level: string; message: string; fix?: string }[];
  }[];
}

let plain: MemcachedServer;
let secure: MemcachedServer;
let sasl: MemcachedServer;
let textOnly: MemcachedServer;
let authFile: MemcachedServer;
let dir: string;
let caFile: string;
let otherCaFile: string;

beforeAll(async () => {
  const certificates = testCertificates();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcc-cli-tls-'));
  caFile = certificates.caFile;
  otherCaFile = path.join(dir, 'other-ca.pem');
  fs.writeFileSync(otherCaFile, certificates.otherCa);
  [plain, secure, sasl, textOnly, authFile] = await Promise.all([
    startMemcached(settled),
    startMemcached({ ...settled, tls: true }),
    startMemcached({ ...settled, sasl: user }),
    startMemcached({ ...settled, extraArgs: ['-B', 'ascii'] }),
    startMemcached({ ...settled, authFile: authUser }),
  ]);
});
afterAll(async () => {
  await Promise.all([plain, secure, sasl, textOnly, authFile].map((server) => server?.kill()));
  fs.rmSync(dir, { recursive: true, force: true });
});

function doctorJson(stdout: string): DoctorJson['servers'][number] {
  const report = JSON.parse(stdout) as DoctorJson;
  expect(report.servers).toHaveLength(1);
  return report.servers[0]!;
}

describe('memcached 1.6.18 behaviours the advice rests on', () => {
  const binaryNoop = Buffer.alloc(24);
  binaryNoop[0] = 0x80; // request magic
  binaryNoop[1] = 0x0a; // NOOP

  it('-B ascii answers a binary request with a text ERROR line (so a binary client waits in vain)', async () => {
    expect(await rawTextRequest(textOnly.address, binaryNoop, { timeoutMs: 2000 })).toBe('ERROR\r\n');
  });

  it('-S leaves a meta request unanswered', async () => {
    await expect(rawTextRequest(sasl.address, 'mn\r\n', { timeoutMs: 500 })).rejects.toThrow('no complete reply');
  });
});

describe('mcc doctor: protocol', () => {
  it.each(['binary', 'meta'])('reports --protocol %s in use and the other one working on a plain server', async (protocol) => {
    const run = await runCli(['doctor', '--json', '--protocol', protocol, '--servers', plain.address]);
    expect(run.code).toBe(0);
    const other = protocol === 'binary' ? 'meta' : 'binary';
    expect(doctorJson(run.stdout).connection).toEqual({
      protocol,
      otherProtocol: { protocol: other, works: true },
      tls: { enabled: false },
      auth: { state: 'not-required' },
    });
  });

  it('advises --protocol meta for a server that refuses binary (memcached -B ascii), and passes with it', async () => {
    const refused = await runCli(['doctor', '--protocol', 'binary', '--servers', textOnly.address]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('does not answer the binary protocol');
    expect(refused.stdout).toContain('fix: pass --protocol meta');
    const meta = await runCli(['doctor', '--json', '--protocol', 'meta', '--servers', textOnly.address]);
    expect(meta.code).toBe(0);
    const facts = doctorJson(meta.stdout);
    expect(facts.connection.otherProtocol).toMatchObject({ protocol: 'binary', works: false });
    expect(facts.findings).toContainEqual(expect.objectContaining({ level: 'note', message: expect.stringContaining('binary protocol does not work here') }));
  });
});

describe('mcc doctor: TLS', () => {
  it('shows the negotiated TLS version and the verified certificate with a good CA', async () => {
    const run = await runCli(['doctor', '--json', '--tls', '--tls-ca', caFile, '--servers', secure.address]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { tls } = doctorJson(run.stdout).connection;
    expect(tls.enabled).toBe(true);
    expect(tls.details).toMatchObject({ subject: 'CN=server', issuer: 'CN=test-ca', authorized: true });
    expect(tls.details!.version).toMatch(/^TLSv1\.[23]$/);
    expect(tls.details!.daysLeft).toBeGreaterThanOrEqual(0);
    const text = await runCli(['doctor', '--tls-ca', caFile, '--servers', secure.address]);
    expect(text.stdout).toMatch(/TLS\s+TLSv1\.[23] \S+; certificate CN=server issued by CN=test-ca, expires .*, verified/);
  });

  it('explains a certificate signed by another CA, naming the issuer to trust', async () => {
    const run = await runCli(['doctor', '--tls-ca', otherCaFile, '--servers', secure.address]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('HANDSHAKE FAILED');
    expect(run.stdout).toContain("the server's certificate is not trusted");
    expect(run.stdout).toContain("fix: pass --tls-ca FILE with the CA that issued the server's certificate");
    expect(run.stdout).toContain('issued by CN=test-ca');
  });

  it('says plain TCP to a TLS server needs --tls and --tls-ca', async () => {
    const run = await runCli(['doctor', '--json', '--servers', secure.address]);
    expect(run.code).toBe(1);
    const facts = doctorJson(run.stdout);
    expect(facts.reachable).toBe(false);
    expect(facts.connection.tls.serverSpeaksTls).toMatchObject({ subject: 'CN=server', authorized: false });
    expect(facts.findings).toContainEqual(expect.objectContaining({ level: 'error', message: expect.stringContaining('requires TLS'), fix: expect.stringContaining('pass --tls and --tls-ca FILE') }));
  });

  it('explains a server that requires a client certificate (mutual TLS), and passes with --tls-cert and --tls-key', async () => {
    const certificates = testCertificates();
    const certFile = path.join(dir, 'client.pem');
    const keyFile = path.join(dir, 'client.key');
    fs.writeFileSync(certFile, certificates.clientCert);
    fs.writeFileSync(keyFile, certificates.clientKey);
    const mutual = await startMemcached({ ...settled, tls: 'mutual' });
    try {
      const without = await runCli(['doctor', '--tls-ca', caFile, '--servers', mutual.address]);
      expect(without.code).toBe(1);
      expect(without.stdout).toContain('HANDSHAKE FAILED');
      expect(without.stdout).toContain('fix: the server requires a client certificate: pass --tls-cert FILE and --tls-key FILE');
      const withCertificate = await runCli(['doctor', '--tls-ca', caFile, '--tls-cert', certFile, '--tls-key', keyFile, '--servers', mutual.address]);
      expect(withCertificate.code).toBe(0);
      expect(withCertificate.stdout).toMatch(/TLS\s+TLSv1\.[23] .*verified/);
    } finally {
      await mutual.kill();
    }
  });

  it('flags --tls-insecure as a risk while still reporting the session', async () => {
    const run = await runCli(['doctor', '--json', '--tls-insecure', '--servers', secure.address]);
    expect(run.code).toBe(1);
    const facts = doctorJson(run.stdout);
    expect(facts.reachable).toBe(true);
    expect(facts.connection.tls.details).toMatchObject({ authorized: false, subject: 'CN=server' });
    expect(facts.findings).toContainEqual(expect.objectContaining({ level: 'risk', message: expect.stringContaining('not verified') }));
  });
});

describe('mcc doctor: SASL', () => {
  const saslArgs = ['doctor', '--protocol', 'binary', '--sasl-user', user.username, '--servers'];

  it('reports who it authenticated as with good credentials', async () => {
    const run = await runCli(['doctor', '--json', ...saslArgs.slice(1), sasl.address], { MCC_SASL_PASSWORD: user.password });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { connection } = doctorJson(run.stdout);
    expect(connection.auth).toEqual({ state: 'authenticated', user: 'alice' });
    expect(connection.otherProtocol).toMatchObject({ protocol: 'meta', works: null });
    const text = await runCli([...saslArgs, sasl.address], { MCC_SASL_PASSWORD: user.password });
    expect(text.stdout).toMatch(/authentication\s+SASL PLAIN, authenticated as alice/);
  });

  it('explains refused credentials and where to fix them', async () => {
    const run = await runCli([...saslArgs, sasl.address], { MCC_SASL_PASSWORD: 'wrong' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('the server refused the SASL credentials of user "alice"');
    expect(run.stdout).toContain('fix: check --sasl-user and MCC_SASL_PASSWORD');
  });

  it.each(['binary', 'meta'])('says SASL is required when --protocol %s comes without --sasl-user', async (protocol) => {
    const run = await runCli(['doctor', '--protocol', protocol, '--servers', sasl.address]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('the server requires SASL authentication (memcached -S)');
    expect(run.stdout).toContain(`fix: pass${protocol === 'meta' ? ' --protocol binary' : ''} --sasl-user NAME with the password in the environment variable MCC_SASL_PASSWORD`);
  });

  it('says a server without -S has no SASL to offer', async () => {
    const run = await runCli([...saslArgs, plain.address], { MCC_SASL_PASSWORD: user.password });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('does not offer SASL');
  });
});

describe('mcc doctor: authfile (memcached -Y)', () => {
  const authArgs = ['doctor', '--protocol', 'meta', '--auth-user', authUser.username, '--servers'];

  it('reports the authfile user with good credentials, and can run a command with them', async () => {
    const run = await runCli(['doctor', '--json', ...authArgs.slice(1), authFile.address], { MCC_AUTH_PASSWORD: authUser.password });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const { connection } = doctorJson(run.stdout);
    expect(connection.auth).toEqual({ state: 'authfile-authenticated', user: 'alice' });
    expect(connection.otherProtocol).toMatchObject({ protocol: 'binary', works: null });
    const text = await runCli([...authArgs, authFile.address], { MCC_AUTH_PASSWORD: authUser.password });
    expect(text.stdout).toMatch(/authentication\s+authfile \(memcached -Y\) when required, as alice/);
    const env = { MCC_AUTH_PASSWORD: authUser.password };
    const options = ['--protocol', 'meta', '--auth-user', authUser.username, '--servers', authFile.address];
    expect((await runCli(['set', 'cli-auth-key', '7', ...options], env)).code).toBe(0);
    expect((await runCli(['get', 'cli-auth-key', ...options], env)).stdout.trim()).toBe('7');
  });

  it('explains refused credentials and where to fix them', async () => {
    const run = await runCli([...authArgs, authFile.address], { MCC_AUTH_PASSWORD: 'wrong' });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('the server refused the authfile credentials of user "alice"');
    expect(run.stdout).toContain("fix: check --auth-user and MCC_AUTH_PASSWORD: the server's authfile (memcached -Y FILE) must hold the line alice:PASSWORD");
  });

  it.each(['binary', 'meta'])('says the authfile is required when --protocol %s comes without --auth-user', async (protocol) => {
    const run = await runCli(['doctor', '--protocol', protocol, '--servers', authFile.address]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('the server requires authentication against its authfile (memcached -Y)');
    expect(run.stdout).toContain(`fix: pass${protocol === 'binary' ? ' --protocol meta' : ''} --auth-user NAME with the password in the environment variable MCC_AUTH_PASSWORD`);
  });
});

describe('connection options of every command', () => {
  it('reach a TLS server and a SASL server from set and get (the shared opening)', async () => {
    const tlsArgs = ['--tls-ca', caFile, '--servers', secure.address];
    expect((await runCli(['set', 'cli-tls-key', '{"a":1}', ...tlsArgs])).code).toBe(0);
    const readBack = await runCli(['get', 'cli-tls-key', ...tlsArgs]);
    expect(readBack.stdout.trim()).toBe('{"a":1}');
    const saslArgs = ['--protocol', 'binary', '--sasl-user', user.username, '--servers', sasl.address];
    const env = { MCC_SASL_PASSWORD: user.password };
    expect((await runCli(['set', 'cli-sasl-key', '7', ...saslArgs], env)).code).toBe(0);
    expect((await runCli(['get', 'cli-sasl-key', ...saslArgs], env)).stdout.trim()).toBe('7');
  });

  it('refuse what cannot work before connecting, as usage errors naming the fix', async () => {
    const noPassword = await runCli(['get', 'k', '--sasl-user', 'alice', '--protocol', 'binary', '--servers', sasl.address], { MCC_SASL_PASSWORD: undefined });
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toContain('set the password in the environment variable MCC_SASL_PASSWORD');
    const metaSasl = await runCli(['get', 'k', '--sasl-user', 'alice', '--servers', sasl.address], { MCC_SASL_PASSWORD: 'x', MCC_PROTOCOL: 'meta' });
    expect(metaSasl.code).toBe(2);
    expect(metaSasl.stderr).toContain('MCC_PROTOCOL=meta chooses meta: pass --protocol binary');
    const badProtocol = await runCli(['doctor', '--protocol', 'text', '--servers', plain.address]);
    expect(badProtocol.code).toBe(2);
    expect(badProtocol.stderr).toContain('--protocol must be binary or meta, got "text"');
    const missingCa = await runCli(['doctor', '--tls-ca', path.join(dir, 'missing.pem'), '--servers', secure.address]);
    expect(missingCa.code).toBe(2);
    expect(missingCa.stderr).toContain('cannot read it (ENOENT)');
    const halfPair = await runCli(['doctor', '--tls-cert', caFile, '--servers', secure.address]);
    expect(halfPair.code).toBe(2);
    expect(halfPair.stderr).toContain('--tls-cert and --tls-key go together');
  });

  it('are in every command\'s --help, with the password never on the command line', async () => {
    const help = await runCli(['push', '--help']);
    expect(help.code).toBe(0);
    for (const option of ['--protocol binary|meta', '--tls ', '--tls-ca FILE', '--tls-cert FILE', '--tls-key FILE', '--tls-servername NAME', '--tls-insecure', '--sasl-user NAME']) {
      expect(help.stdout).toContain(option);
    }
    expect(help.stdout).toContain('$MCC_SASL_PASSWORD, never from the');
  });
});
