import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clientOptionsOf, resolveConnection, type ConnectionValues } from './connection-options';

const none: ConnectionValues = {
  protocol: undefined,
  tls: false,
  'tls-ca': undefined,
  'tls-cert': undefined,
  'tls-key': undefined,
  'tls-servername': undefined,
  'tls-insecure': false,
  'sasl-user': undefined,
  'auth-user': undefined,
};
const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('resolveConnection', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcc-cli-options-'));
    fs.writeFileSync(path.join(dir, 'ca.pem'), pem);
    fs.writeFileSync(path.join(dir, 'not.pem'), 'hello');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('chooses --protocol, else MCC_PROTOCOL, else binary', () => {
    expect(resolveConnection('get', none, {})).toEqual({ protocol: 'binary', protocolSource: 'default', tls: false });
    expect(resolveConnection('get', none, { MCC_PROTOCOL: 'meta' })).toMatchObject({ protocol: 'meta', protocolSource: 'env' });
    expect(resolveConnection('get', { ...none, protocol: 'binary' }, { MCC_PROTOCOL: 'meta' })).toMatchObject({ protocol: 'binary', protocolSource: 'flag' });
    expect(() => resolveConnection('get', none, { MCC_PROTOCOL: 'ascii' })).toThrow('MCC_PROTOCOL must be binary or meta, got "ascii"');
  });

  it('turns TLS on for any --tls option and reads the PEM files as text (plain data for worker processes)', () => {
    expect(resolveConnection('get', { ...none, tls: true }, {}).tls).toEqual({});
    const settings = resolveConnection('get', { ...none, 'tls-ca': path.join(dir, 'ca.pem'), 'tls-servername': 'cache.example' }, {});
    expect(settings.tls).toEqual({ ca: pem, servername: 'cache.example' });
    expect(resolveConnection('get', { ...none, 'tls-insecure': true }, {}).tls).toEqual({ rejectUnauthorized: false });
    expect(JSON.parse(JSON.stringify(clientOptionsOf(settings)))).toEqual(clientOptionsOf(settings));
    expect(() => resolveConnection('get', { ...none, 'tls-ca': path.join(dir, 'not.pem') }, {})).toThrow('holds no PEM block');
  });

  it('takes the SASL password from MCC_SASL_PASSWORD only, and refuses SASL on meta', () => {
    expect(resolveConnection('get', { ...none, 'sasl-user': 'app' }, { MCC_SASL_PASSWORD: 'pw' }).sasl).toEqual({ username: 'app', password: 'pw' });
    expect(() => resolveConnection('get', { ...none, 'sasl-user': 'app' }, {})).toThrow('MCC_SASL_PASSWORD');
    expect(() => resolveConnection('get', { ...none, 'sasl-user': 'app', protocol: 'meta' }, { MCC_SASL_PASSWORD: 'pw' })).toThrow('drop --protocol meta');
  });

  it('takes the authfile password from MCC_AUTH_PASSWORD only, and refuses the authfile on binary', () => {
    const meta = { ...none, 'auth-user': 'app', protocol: 'meta' };
    const settings = resolveConnection('get', meta, { MCC_AUTH_PASSWORD: 'pw' });
    expect(settings.auth).toEqual({ username: 'app', password: 'pw' });
    expect(clientOptionsOf(settings).auth).toEqual({ username: 'app', password: 'pw' });
    expect(() => resolveConnection('get', meta, {})).toThrow('MCC_AUTH_PASSWORD');
    expect(() => resolveConnection('get', { ...none, 'auth-user': 'app' }, { MCC_AUTH_PASSWORD: 'pw' })).toThrow('pass --protocol meta (binary is the default)');
    expect(() => resolveConnection('get', { ...none, 'auth-user': 'app' }, { MCC_AUTH_PASSWORD: 'pw', MCC_PROTOCOL: 'binary' })).toThrow('MCC_PROTOCOL=binary chooses binary');
  });
});
