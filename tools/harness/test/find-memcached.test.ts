import { MEMCACHED_BIN_ENV, MemcachedNotInstalledError, findMemcached, startMemcached } from '../src';

const saved = process.env[MEMCACHED_BIN_ENV];
afterEach(() => {
  if (saved === undefined) delete process.env[MEMCACHED_BIN_ENV];
  else process.env[MEMCACHED_BIN_ENV] = saved;
});

describe('findMemcached', () => {
  test('finds memcached on PATH', () => {
    delete process.env[MEMCACHED_BIN_ENV];
    expect(findMemcached()).toMatch(/\/memcached$/);
  });

  test('MCC_MEMCACHED_BIN wins when it points at an executable', () => {
    delete process.env[MEMCACHED_BIN_ENV];
    const real = findMemcached();
    process.env[MEMCACHED_BIN_ENV] = real;
    expect(findMemcached()).toBe(real);
  });

  test('a missing binary throws MemcachedNotInstalledError with install instructions', async () => {
    process.env[MEMCACHED_BIN_ENV] = '/nonexistent/bin/memcached';
    expect(() => findMemcached()).toThrow(MemcachedNotInstalledError);
    try {
      findMemcached();
    } catch (error) {
      const e = error as MemcachedNotInstalledError;
      expect(e.code).toBe('MCC_ERR_MEMCACHED_NOT_INSTALLED');
      expect(e.message).toContain('apt-get install -y memcached');
      expect(e.message).toContain('brew install memcached');
      expect(e.message).toContain('MCC_MEMCACHED_BIN');
      expect(e.message).toContain('/nonexistent/bin/memcached');
    }
    await expect(startMemcached()).rejects.toBeInstanceOf(MemcachedNotInstalledError);
  });
});
