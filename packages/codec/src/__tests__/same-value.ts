import { isDeepStrictEqual } from 'node:util';

/**
 * Strict deep equality (types, prototypes, NaN, -0, own keys) that also
 * works for objects with an own "constructor" or "__proto__" key, which
 * jest's toStrictEqual misjudges (it compares `a.constructor` values).
 * Falls back to toStrictEqual for the diff when they differ.
 */
export function expectSameValue(actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual).toStrictEqual(expected);
}
