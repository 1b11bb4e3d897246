/**
 * Throw-away certificates for TLS tests, made with `openssl`: a CA, a server
 * certificate it signs for 127.0.0.1 and localhost, a client certificate it
 * signs (mutual TLS), and a second, unrelated CA (a client trusting only it
 * must refuse the server). Made once per process, in a private temp directory.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestCertificates {
  readonly dir: string;
  /** Paths, for memcached's `-o ssl_*` options. */
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  /** PEM contents, for `tls.connect` options. */
  readonly ca: string;
  readonly otherCa: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

let made: TestCertificates | undefined;

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

function authority(dir: string, name: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${name}`]);
}

/** Signs a new key's certificate with the CA `ca`; `altNames` become its subjectAltName. */
function signed(dir: string, name: string, ca: string, altNames: string | null): void {
  openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  const extensions = altNames === null ? 'extendedKeyUsage=clientAuth\n' : `subjectAltName=${altNames}\nextendedKeyUsage=serverAuth\n`;
  fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', `${name}.ext`]);
}

/** The certificates of this process (made on first use, ~1 s). */
export function testCertificates(): TestCertificates {
  if (made !== undefined) return made;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcc-tls-'));
  authority(dir, 'test-ca');
  authority(dir, 'other-ca');
  signed(dir, 'server', 'test-ca', 'IP:127.0.0.1,DNS:localhost');
  signed(dir, 'client', 'test-ca', null);
  const read = (name: string): string => fs.readFileSync(path.join(dir, name), 'utf8');
  made = {
    dir,
    caFile: path.join(dir, 'test-ca.pem'),
    serverCertFile: path.join(dir, 'server.pem'),
    serverKeyFile: path.join(dir, 'server.key'),
    ca: read('test-ca.pem'),
    otherCa: read('other-ca.pem'),
    clientCert: read('client.pem'),
    clientKey: read('client.key'),
  };
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return made;
}
