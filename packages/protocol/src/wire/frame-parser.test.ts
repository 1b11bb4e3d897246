import { ProtocolError } from '../errors';
import { flagsExtras, responseFrame } from '../testing/frames';
import { Opcode, Status } from './constants';
import { FrameParser } from './frame-parser';
import type { ResponseFrame } from './response-frame';

interface Decoded {
  opcode: number;
  status: number;
  opaque: number;
  cas: bigint;
  flags: number;
  key: string;
  value: string;
}

function decode(frame: ResponseFrame): Decoded {
  return {
    opcode: frame.opcode,
    status: frame.status,
    opaque: frame.opaque,
    cas: frame.cas,
    flags: frame.flags(),
    key: frame.key().toString('latin1'),
    value: frame.value().toString('latin1'),
  };
}

/** The bound used where the test is not about it: a 2 MiB item limit. */
const LIMIT = 2 * 1024 * 1024;

function parseChunks(chunks: Buffer[]): Decoded[] {
  const frames: Decoded[] = [];
  const parser = new FrameParser((frame) => frames.push(decode(frame)), () => LIMIT);
  for (const chunk of chunks) parser.feed(chunk);
  expect(parser.midFrame).toBe(false);
  return frames;
}

const hit = responseFrame({ opcode: Opcode.GetK, opaque: 7, cas: 0x0102030405060708n, extras: flagsExtras(0xdeadbeef), key: 'user:1', value: 'hello world' });
const miss = responseFrame({ opcode: Opcode.Get, status: Status.KeyNotFound, opaque: 8, value: 'Not found' });
const stored = responseFrame({ opcode: Opcode.Set, opaque: 9, cas: 42n });
const noop = responseFrame({ opcode: Opcode.Noop, opaque: 0xffffffff });
const big = responseFrame({ opcode: Opcode.Get, opaque: 10, extras: flagsExtras(1), value: Buffer.alloc(70_000, 0x61) });

const EXPECTED_HIT: Decoded = {
  opcode: Opcode.GetK, status: 0, opaque: 7, cas: 0x0102030405060708n, flags: 0xdeadbeef, key: 'user:1', value: 'hello world',
};

describe('FrameParser', () => {
  it('decodes every field of a whole frame', () => {
    expect(parseChunks([hit])).toEqual([EXPECTED_HIT]);
  });

  it.each([
    ['a hit', hit],
    ['a miss', miss],
    ['a store reply', stored],
    ['a noop', noop],
  ])('decodes %s split at every offset into two chunks', (_name, frame) => {
    const whole = parseChunks([frame]);
    for (let split = 1; split < frame.length; split++) {
      expect(parseChunks([frame.subarray(0, split), frame.subarray(split)])).toEqual(whole);
    }
  });

  it('decodes a frame fed one byte at a time', () => {
    const chunks = [...hit].map((byte) => Buffer.from([byte]));
    expect(parseChunks(chunks)).toEqual([EXPECTED_HIT]);
  });

  it('decodes concatenated frames split at every offset, in order', () => {
    const stream = Buffer.concat([hit, miss, stored, noop]);
    const whole = parseChunks([stream]);
    expect(whole.map((frame) => frame.opaque)).toEqual([7, 8, 9, 0xffffffff]);
    for (let split = 1; split < stream.length; split++) {
      expect(parseChunks([stream.subarray(0, split), stream.subarray(split)])).toEqual(whole);
    }
  });

  it('decodes random chunkings of a long stream of frames', () => {
    const frames = [hit, miss, big, stored, noop, hit, big, miss];
    const stream = Buffer.concat(frames);
    const expected = parseChunks([stream]);
    let seed = 12345;
    const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 50; round++) {
      const chunks: Buffer[] = [];
      for (let offset = 0; offset < stream.length; ) {
        const size = 1 + Math.floor(random() * (round % 2 === 0 ? 40 : 20_000));
        chunks.push(stream.subarray(offset, offset + size));
        offset += size;
      }
      expect(parseChunks(chunks)).toEqual(expected);
    }
  });

  it('hands out views of a whole chunk without copying', () => {
    const stream = Buffer.concat([hit, stored]);
    const buffers: Buffer[] = [];
    new FrameParser((frame) => buffers.push(frame.buffer), () => LIMIT).feed(stream);
    expect(buffers).toEqual([stream, stream]);
    expect(buffers[0]).toBe(stream);
  });

  it('holds no buffer after a whole-frame parse, and views stay valid after later chunks', () => {
    const values: Buffer[] = [];
    const parser = new FrameParser((frame) => values.push(frame.value()), () => LIMIT);
    parser.feed(hit.subarray(0, 30));
    expect(parser.midFrame).toBe(true);
    parser.feed(hit.subarray(30));
    expect(parser.midFrame).toBe(false);
    const first = values[0]!;
    parser.feed(Buffer.concat([big.subarray(0, 100)]));
    parser.feed(big.subarray(100));
    expect(first.toString()).toBe('hello world');
    expect(values[1]!.length).toBe(70_000);
  });

  it('lets the socket read the rest of a large frame straight into its buffer', () => {
    const frames: Decoded[] = [];
    const parser = new FrameParser((frame) => frames.push(decode(frame)), () => LIMIT);
    expect(parser.partialTarget()).toBeNull();
    parser.feed(Buffer.concat([hit, big.subarray(0, 1000)]));
    expect(frames.map((frame) => frame.opaque)).toEqual([7]);
    let offset = 1000;
    for (const size of [30_000, 30_000]) {
      const target = parser.partialTarget()!;
      expect(target.length).toBe(big.length - offset); // exactly what is missing: never the next frame's bytes
      big.copy(target, 0, offset, offset + size); // what the kernel would do
      parser.partialReceived(size);
      offset += size;
    }
    const target = parser.partialTarget()!;
    big.copy(target, 0, offset);
    parser.partialReceived(big.length - offset);
    expect(parser.partialTarget()).toBeNull();
    expect(frames.map((frame) => frame.opaque)).toEqual([7, 10]);
    expect(frames[1]!.value).toBe('a'.repeat(70_000));
    parser.feed(stored);
    expect(frames.map((frame) => frame.opaque)).toEqual([7, 10, 9]);
    expect(() => parser.partialReceived(1)).toThrow(ProtocolError);
  });

  it('rejects a bad magic byte with a ProtocolError', () => {
    const garbage = Buffer.from(hit);
    garbage[0] = 0x80;
    expect(() => parseChunks([garbage])).toThrow(ProtocolError);
    expect(() => parseChunks([Buffer.from('VERSION 1.6.18\r\nEND\r\nmore text to fill a header')])).toThrow(/bad magic/);
  });

  it('says so when the reply is text (a server that accepts no binary requests), whole or split', () => {
    const text = Buffer.from('SERVER_ERROR binary protocol is not supported\r\n');
    const advice = /answered in the text protocol \("SERVER_ERROR binary protocol is not s.*use protocol 'meta'/;
    expect(() => parseChunks([text])).toThrow(advice);
    const parser = new FrameParser(() => {}, () => LIMIT);
    parser.feed(text.subarray(0, 7));
    expect(() => parser.feed(text.subarray(7))).toThrow(/answered in the text protocol \("SERVER_ERROR binary prot"\)/) // the 24 bytes of a header;
  });

  it('rejects a bad magic byte that arrives split', () => {
    const garbage = Buffer.from(hit);
    garbage[0] = 0x00;
    const parser = new FrameParser(() => {}, () => LIMIT);
    parser.feed(garbage.subarray(0, 5));
    expect(() => parser.feed(garbage.subarray(5))).toThrow(ProtocolError);
  });

  it('rejects a body shorter than its key and extras', () => {
    const corrupt = Buffer.from(hit);
    corrupt.writeUInt32BE(3, 8);
    expect(() => parseChunks([corrupt])).toThrow(/shorter than its key/);
  });

  it('rejects a body longer than the bound (the server item limit plus overhead) before allocating it', () => {
    const corrupt = Buffer.from(stored);
    corrupt.writeUInt32BE(0xfffffff0, 8);
    expect(() => new FrameParser(() => {}, () => LIMIT).feed(corrupt)).toThrow(/exceeds the 2097152 bytes a reply of this server can have/);
    const justOver = Buffer.from(stored);
    justOver.writeUInt32BE(1001, 8);
    expect(() => new FrameParser(() => {}, () => 1000).feed(justOver)).toThrow(ProtocolError);
  });

  it('allocates a split frame as its bytes arrive, not as its header announces', () => {
    // A 1 GiB body under a 2 GiB bound: the first allocation is about 1 MiB, not 1 GiB.
    const header = responseFrame({ opcode: Opcode.Get, opaque: 3, value: '' });
    header.writeUInt32BE(1024 * 1024 * 1024, 8);
    const parser = new FrameParser(() => {}, () => 2 ** 31);
    parser.feed(Buffer.concat([header, Buffer.alloc(100)]));
    const target = parser.partialTarget()!;
    expect(target.length).toBeLessThan(2 * 1024 * 1024);
    expect(target.buffer.byteLength).toBeLessThan(4 * 1024 * 1024);
  });

  it('grows a split frame larger than the first allocation and delivers it whole', () => {
    const value = Buffer.alloc(3 * 1024 * 1024, 0x62);
    const frame = responseFrame({ opcode: Opcode.Get, opaque: 4, extras: flagsExtras(0), value });
    const frames: Decoded[] = [];
    const parser = new FrameParser((reply) => frames.push(decode(reply)), () => LIMIT * 4);
    for (let offset = 0; offset < frame.length; offset += 65_536) parser.feed(frame.subarray(offset, offset + 65_536));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.value).toBe(value.toString('latin1'));
  });

  it('forgets a partial frame on reset', () => {
    const frames: Decoded[] = [];
    const parser = new FrameParser((frame) => frames.push(decode(frame)), () => LIMIT);
    parser.feed(hit.subarray(0, 10));
    parser.reset();
    expect(parser.midFrame).toBe(false);
    parser.feed(stored);
    expect(frames.map((frame) => frame.opaque)).toEqual([9]);
  });
});
