import * as mcasExports from './index';
import { McasContentionError, McasCorruptionError, McasOutcomeUnknownError } from './errors';

describe('errors', () => {
  test('every exported error class has a unique MCC_ERR_* code, and its instances are McErrors', () => {
    const classes = (Object.entries(mcasExports) as [string, unknown][]).filter(
      ([, value]) => typeof value === 'function' && typeof (value as { code?: unknown }).code === 'string',
    );
    const codes = classes.map(([, errorClass]) => (errorClass as { code: string }).code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^MCC_ERR_[A-Z_]+$/);
    for (const name of ['McasCorruptionError', 'McasOutcomeUnknownError', 'McasContentionError', 'ValueTooLargeError', 'InvalidArgumentError', 'ConnectionClosedError', 'TimeoutError']) {
      expect(classes.map(([exported]) => exported)).toContain(name);
    }
  });

  test('McasCorruptionError names the location and the descriptor', () => {
    const error = new McasCorruptionError('account:a', 'mcc:mcas:xyz', 'the descriptor is missing');
    expect(error).toBeInstanceOf(mcasExports.McError);
    expect(mcasExports.McError.isMcError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'MCC_ERR_MCAS_CORRUPTION', name: 'McasCorruptionError', key: 'account:a', location: 'account:a', descriptorKey: 'mcc:mcas:xyz' });
    expect(error.message).toContain('"account:a"');
    expect(error.message).toContain('"mcc:mcas:xyz"');
  });

  test('McasOutcomeUnknownError carries the descriptor key and the cause', () => {
    const cause = new Error('socket closed');
    const error = new McasOutcomeUnknownError('mcc:mcas:abc', 'lost', { cause });
    expect(error).toMatchObject({ code: 'MCC_ERR_MCAS_OUTCOME_UNKNOWN', descriptorKey: 'mcc:mcas:abc', cause });
    expect(error.message).toContain('mcasOutcome');
  });

  test('McasContentionError names the key', () => {
    expect(new McasContentionError('hot', 100)).toMatchObject({ code: 'MCC_ERR_MCAS_CONTENTION', key: 'hot', attempts: 100 });
  });
});
