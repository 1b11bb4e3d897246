import { compareKeys, DESCRIPTOR_KEY_PREFIX, isDescriptorKey, newDescriptorKey, parseSplitValueKey, splitValueKey } from './keys';

describe('descriptor keys', () => {
  test('are mcc:mcas: and 22 base64url characters, fresh each time', () => {
    const keys = new Set(Array.from({ length: 1000 }, newDescriptorKey));
    expect(keys.size).toBe(1000);
    for (const key of keys) {
      expect(key.startsWith(DESCRIPTOR_KEY_PREFIX)).toBe(true);
      expect(key).toMatch(/^mcc:mcas:[A-Za-z0-9_-]{22}$/);
      expect(isDescriptorKey(key)).toBe(true);
    }
  });

  test('split-out value keys name their descriptor and item', () => {
    const descriptorKey = newDescriptorKey();
    expect(splitValueKey(descriptorKey, 3)).toBe(`${descriptorKey}:v3`);
    expect(parseSplitValueKey(splitValueKey(descriptorKey, 12))).toEqual({ descriptorKey, index: 12 });
    expect(isDescriptorKey(splitValueKey(descriptorKey, 0))).toBe(false);
    expect(parseSplitValueKey(descriptorKey)).toBeNull();
    expect(parseSplitValueKey(`${descriptorKey}:v01`)).toBeNull();
    expect(parseSplitValueKey('user:key:v1')).toBeNull();
  });
});

describe('compareKeys: the global acquisition order is UTF-8 byte order', () => {
  test('orders ASCII like plain comparison', () => {
    expect(['b', 'a', 'ab', 'B', '10', '9'].sort(compareKeys)).toEqual(['10', '9', 'B', 'a', 'ab', 'b']);
    expect(compareKeys('x', 'x')).toBe(0);
  });

  test('differs from UTF-16 order where UTF-8 does: astral characters sort after U+E000-U+FFFF', () => {
    const astral = '\u{1F600}'; // UTF-16 0xD83D…, UTF-8 0xF0…
    const privateUse = '\uE000'; // UTF-16 0xE000, UTF-8 0xEE…
    expect(astral < privateUse).toBe(true); // JavaScript's own order
    expect(compareKeys(astral, privateUse)).toBeGreaterThan(0); // byte order
    expect([privateUse, astral, 'z', 'é'].sort(compareKeys)).toEqual(['z', 'é', privateUse, astral]);
  });

  test('is a total order consistent with Buffer.compare on random keys', () => {
    const alphabet = ['a', 'Z', '0', 'é', 'ß', '\uFFFD', '\u{10000}', '\u{1F600}', ':'];
    const keys = Array.from({ length: 200 }, (_, i) => Array.from({ length: 1 + (i % 5) }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join(''));
    const sorted = [...keys].sort(compareKeys);
    for (let i = 1; i < sorted.length; i++) {
      expect(Buffer.compare(Buffer.from(sorted[i - 1]!), Buffer.from(sorted[i]!))).toBeLessThanOrEqual(0);
    }
  });
});
