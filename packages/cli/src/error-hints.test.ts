import * as deque from '@mcc/deque';
import * as mcas from '@mcc/mcas';
import * as protocol from '@mcc/protocol';
import * as queue from '@mcc/queue';
import { hintFor } from './error-hints';

/** Every error class the packages export: a constructor with a static `code`. */
function errorCodes(...modules: readonly Record<string, unknown>[]): string[] {
  const codes = new Set<string>();
  for (const module of modules) {
    for (const value of Object.values(module)) {
      const code = typeof value === 'function' ? (value as { code?: unknown }).code : undefined;
      if (typeof code === 'string' && code.startsWith('MCC_ERR_')) codes.add(code);
    }
  }
  return [...codes].sort();
}

describe('error hints', () => {
  it('has a fix for every error code the packages export', () => {
    const codes = errorCodes(protocol, mcas, deque, queue);
    expect(codes.length).toBeGreaterThan(25);
    expect(codes.filter((code) => hintFor({ code }) === undefined)).toEqual([]);
  });
});
