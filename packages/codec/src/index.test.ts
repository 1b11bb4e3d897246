import * as protocol from '@mcc/protocol';
import * as codec from './index';

describe('@mcc/codec public surface', () => {
  test('re-exports what a user needs to connect', () => {
    expect(codec.Client).toBe(protocol.Client);
    expect(typeof codec.connect).toBe('function');
    expect(typeof codec.Store).toBe('function');
    for (const name of ['msgpackCodec', 'rawCodec', 'jsonCodec'] as const) {
      expect(typeof codec[name].encode).toBe('function');
    }
  });

  test('re-exports every error class of @mcc/protocol', () => {
    const protocolErrors = Object.entries(protocol).filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error);
    expect(protocolErrors.length).toBeGreaterThan(5);
    for (const [name, value] of protocolErrors) expect((codec as Record<string, unknown>)[name]).toBe(value);
  });

  test('every error class has a unique MCC_ERR_ code and extends McError', () => {
    const errorClasses = Object.entries(codec).filter(
      ([name, value]) => typeof value === 'function' && value.prototype instanceof Error && name !== 'McError',
    ) as [string, { code: string; prototype: object }][];
    const codes = errorClasses.map(([, value]) => value.code);
    expect(codes.every((code) => /^MCC_ERR_[A-Z_]+$/.test(code))).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [, value] of errorClasses) expect(value.prototype).toBeInstanceOf(codec.McError);
    expect(codes).toEqual(expect.arrayContaining(['MCC_ERR_ENCODE', 'MCC_ERR_DECODE', 'MCC_ERR_CODEC_MISMATCH']));
  });

  test('codec errors are detected across installs through McError.isMcError', () => {
    const error = new codec.DecodeError('msgpack', 'bad');
    expect(codec.McError.isMcError(error)).toBe(true);
    expect(error.name).toBe('DecodeError');
  });

  test('codec ids are distinct bytes', () => {
    const ids = [codec.rawCodec.id, codec.msgpackCodec.id, codec.jsonCodec.id];
    expect(ids).toEqual([codec.CodecId.Raw, codec.CodecId.Msgpack, codec.CodecId.Json]);
    expect(ids).toEqual([0, 1, 2]);
  });
});
