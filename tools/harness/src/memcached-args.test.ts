import { buildMemcachedArgs, validateMemcachedOptions } from './memcached-args';

describe('buildMemcachedArgs', () => {
  test('base flags: loopback, port, UDP off', () => {
    expect(buildMemcachedArgs(1234, {}, false)).toEqual(['-l', '127.0.0.1', '-p', '1234', '-U', '0']);
  });

  test('-u root only as root', () => {
    expect(buildMemcachedArgs(1, {}, true)).toContain('-u');
    expect(buildMemcachedArgs(1, {}, false)).not.toContain('-u');
  });

  test('option flags, then extraArgs', () => {
    const args = buildMemcachedArgs(
      1,
      { evictions: false, cas: false, itemSizeMax: '2m', memoryMb: 16, extraArgs: ['-t', '2'] },
      false,
    );
    expect(args.slice(6)).toEqual(['-M', '-C', '-I', '2m', '-m', '16', '-t', '2']);
  });

  test('tls: -Z with the certificate files; mutual adds the CA and ssl_verify_mode=2; sasl: -S; authFile: -Y', () => {
    const files = { caFile: '/c/ca.pem', serverCertFile: '/c/server.pem', serverKeyFile: '/c/server.key' };
    expect(buildMemcachedArgs(1, { tls: true }, false, files).slice(6)).toEqual(['-Z', '-o', 'ssl_chain_cert=/c/server.pem,ssl_key=/c/server.key']);
    expect(buildMemcachedArgs(1, { tls: 'mutual' }, false, files).slice(6)).toEqual([
      '-Z', '-o', 'ssl_chain_cert=/c/server.pem,ssl_key=/c/server.key,ssl_ca_cert=/c/ca.pem,ssl_verify_mode=2',
    ]);
    expect(buildMemcachedArgs(1, { sasl: { username: 'u', password: 'p' } }, false).slice(6)).toEqual(['-S']);
    expect(buildMemcachedArgs(1, { authFile: { username: 'u', password: 'p' } }, false, undefined, '/tmp/x/authfile').slice(6)).toEqual(['-Y', '/tmp/x/authfile']);
  });

  test('defaults pass no -M / -C', () => {
    const args = buildMemcachedArgs(1, { evictions: true, cas: true }, false);
    expect(args).not.toContain('-M');
    expect(args).not.toContain('-C');
  });
});

describe('validateMemcachedOptions', () => {
  test('rejects extraArgs that move the listener', () => {
    for (const arg of ['-p', '-p1234', '--port=1', '-l', '--listen', '-s', '--unix-socket=/tmp/x']) {
      expect(() => validateMemcachedOptions({ extraArgs: [arg] })).toThrow(TypeError);
    }
    expect(() => validateMemcachedOptions({ extraArgs: ['-c', '100', '-t', '2', '--max-conns=5'] })).not.toThrow();
  });

  test('rejects bad numbers', () => {
    expect(() => validateMemcachedOptions({ port: 0 })).toThrow(TypeError);
    expect(() => validateMemcachedOptions({ memoryMb: 1.5 })).toThrow(TypeError);
    expect(() => validateMemcachedOptions({ itemSizeMax: -1 })).toThrow(TypeError);
    expect(() => validateMemcachedOptions({ startTimeoutMs: 0 })).toThrow(TypeError);
  });
});
