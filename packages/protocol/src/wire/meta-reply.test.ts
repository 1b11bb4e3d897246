import { MetaReply } from './meta-reply';

describe('MetaReply', () => {
  it('reads the code, the opaque and return flags without splitting the line', () => {
    const reply = MetaReply.of('VA 5 c18446744073709551615 f4294967295 O77', Buffer.from('hello'));
    expect(reply.code).toBe('VA');
    expect(reply.opaque).toBe(77);
    expect(reply.unsignedFlag('c')).toBe(18446744073709551615n); // exact beyond 2^53
    expect(reply.unsignedFlag('f')).toBe(4294967295n);
    expect(reply.flag('f')).toBe('4294967295');
    expect(reply.tokens).toEqual(['5', 'c18446744073709551615', 'f4294967295', 'O77']);
  });

  it('refuses flags that are absent, empty, not digits or longer than 20 digits', () => {
    expect(MetaReply.of('HD O1', null).unsignedFlag('c')).toBeNull();
    expect(MetaReply.of('HD c O1', null).unsignedFlag('c')).toBeNull();
    expect(MetaReply.of('HD c12x O1', null).unsignedFlag('c')).toBeNull();
    expect(MetaReply.of('HD c-1 O1', null).unsignedFlag('c')).toBeNull();
    expect(MetaReply.of('HD c123456789012345678901 O1', null).unsignedFlag('c')).toBeNull();
    expect(MetaReply.of('HD c0', null).unsignedFlag('c')).toBe(0n);
  });

  it('gives a malformed opaque as NaN (it matches no request), and finds flags only as whole tokens', () => {
    expect(MetaReply.of('HD c1 Oabc', null).opaque).toBeNaN();
    expect(MetaReply.of('HD c1 O', null).opaque).toBeNaN();
    expect(MetaReply.of('HD xc5 c7', null).unsignedFlag('c')).toBe(7n);
    expect(MetaReply.of('VA 12 f3', null).unsignedFlag('c')).toBeNull();
  });

  it('has no opaque on error lines and classic replies, whatever they contain', () => {
    expect(MetaReply.of('SERVER_ERROR out of memory O5', null).opaque).toBeNull();
    expect(MetaReply.of('STAT Opaque 5', null).opaque).toBeNull();
    expect(MetaReply.of('MN', null).opaque).toBeNull();
    expect(MetaReply.of('SERVER_ERROR object too large for cache', null).message).toBe('object too large for cache');
  });
});
