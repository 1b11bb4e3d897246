import { CliError } from './cli-error';
import { describeError, formatBytes, formatColumns, formatErrorReport, formatValue } from './format';

describe('formatValue', () => {
  it('prints what MessagePack holds as JSON', () => {
    expect(formatValue({ a: [1, 'x', null] })).toBe('{"a":[1,"x",null]}');
    expect(formatValue(12n)).toBe('12');
    expect(formatValue(2n ** 70n)).toBe('"1180591620717411303424"');
    expect(formatValue(Buffer.from('hi'))).toBe('{"$base64":"aGk="}');
    expect(formatValue({ bytes: new Uint8Array([1, 2]) })).toBe('{"bytes":{"$base64":"AQI="}}');
    expect(formatValue(new Map([['k', 1]]))).toBe('{"k":1}');
    expect(formatValue(undefined)).toBe('null');
  });
});

describe('describeError', () => {
  it('gives mcc errors their code and a fix naming the server', () => {
    const error = Object.assign(new Error('cannot connect'), { code: 'MCC_ERR_CONNECTION', server: '10.0.0.1:11300' });
    const report = describeError(error);
    expect(report).toMatchObject({ code: 'MCC_ERR_CONNECTION', exitCode: 3 });
    expect(report.hint).toContain('10.0.0.1:11300');
    expect(report.hint).toContain('-p 11300');
    expect(formatErrorReport(report)).toBe(`mcc: MCC_ERR_CONNECTION: cannot connect\n  fix: ${report.hint}\n`);
  });

  it('has the fixes the brief asks for', () => {
    expect(describeError({ code: 'MCC_ERR_CAS_UNSUPPORTED', message: 'x' }).hint).toContain('without -C');
    expect(describeError({ code: 'MCC_ERR_DEQUE_NOT_FOUND', message: 'x', deque: 'jobs' }).hint).toContain('mcc create jobs');
    expect(describeError({ code: 'MCC_ERR_DEQUE_CORRUPTED', message: 'x' }).hint).toContain('-M');
  });

  it('keeps a CLI error as it is, and calls anything else a bug', () => {
    expect(describeError(new CliError('MCC_ERR_CLI_USAGE', 'bad', { exitCode: 2, hint: 'h' }))).toEqual({ code: 'MCC_ERR_CLI_USAGE', message: 'bad', exitCode: 2, hint: 'h' });
    expect(describeError(new TypeError('oops'))).toMatchObject({ code: 'MCC_ERR_UNEXPECTED', exitCode: 3 });
  });
});

describe('number and table formatting', () => {
  it('formats bytes and aligns columns', () => {
    expect(formatBytes(1024 * 1024)).toBe('1 MiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatColumns([['a', '1'], ['bbb', '22']], [false, true])).toEqual(['a     1', 'bbb  22']);
  });
});
