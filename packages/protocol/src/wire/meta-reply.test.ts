import { MetaReply } from './meta-reply';

describe('MetaReply', () => {
  it('reads the code, the opaque and return flags without splitting the line', () => {
    const reply = new MetaReply('VA 5 c18446744073709551615 f4294967295 O77', Buffer.from('hello'));
    expect(reply.code).toBe('VA');
    expect(reply.opaque).toBe(77);
    expect(reply.unsignedFlag('c')).toBe(18446744073709551615n); // exact beyond 2^53
    expect(reply.unsignedFlag('f')).toBe(4294967295n);
    expect(reply.flag('f')).toBe('4294967295');
    expect(reply.tokens).toEqual(['5', 'c18446744073709551615', 'f4294967295', 'O77']);
  });

  it('refuses flags that are absent, empty, not digits or longer than 20 digits', () => {
    expect(new MetaReply('HD O1', null).unsignedFlag('c')).toBeNull();
    expect(new MetaReply('HD c O1', null).unsignedFlag('c')).toBeNull();
    expect(new MetaReply('HD c12x O1', null).unsignedFlag('c')).toBeNull();
    expect(new MetaReply('HD c-1 O1', null).unsignedFlag('c')).toBeNull();
    expect(new MetaReply('HD c123456789012345678901 O1', null).unsignedFlag('c')).toBeNull();
    expect(new MetaReply('HD c0', null).unsignedFlag('c')).toBe(0n);
  });

  it('has no opaque on error lines and classic replies, whatever they contain', () => {
    expect(new MetaReply('SERVER_ERROR out of memory O5', null).opaque).toBeNull();
    expect(new MetaReply('STAT Opaque 5', null).opaque).toBeNull();
    expect(new MetaReply('MN', null).opaque).toBeNull();
    expect(new MetaReply('SERVER_ERROR object too large for cache', null).message).toBe('object too large for cache');
  });
});
