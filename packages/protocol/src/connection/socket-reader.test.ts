import { flagsExtras, responseFrame } from '../testing/frames';
import { Opcode } from '../wire/constants';
import { FrameParser } from '../wire/frame-parser';
import { MetaParser } from '../wire/meta-parser';
import type { MetaReply } from '../wire/meta-reply';
import type { ResponseFrame } from '../wire/response-frame';
import { SocketReader } from './socket-reader';
import type { ReplyParser } from './wire';
import { seededRandom } from '@mcc/harness';

const LIMIT = 1024 * 1024;
/** Values of every size class: small, just under and over the direct-read threshold, 100 KiB, 1 MiB. */
const SIZES = [0, 100, 1024, 16 * 1024 - 1, 16 * 1024 + 7, 100 * 1024, 100 * 1024, 3, LIMIT - 64, 100 * 1024, 5];

function value(size: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

/**
 * Drives a reader as the socket would: each read fills at most what `next()`
 * offered, and at most what the kernel "has" (`available()`). Returns the
 * offers made right after a read that went straight into a reply's own buffer.
 */
function stream(parser: ReplyParser, bytes: Buffer, available: (at: number) => number): number[] {
  return drive(parser, bytes, available).offersAfterDirect;
}

function drive(parser: ReplyParser, bytes: Buffer, available: (at: number) => number): { offersAfterDirect: number[]; reads: number } {
  const reader = new SocketReader(parser);
  const offersAfterDirect: number[] = [];
  let at = 0;
  let lastWasDirect = false;
  let reads = 0;
  while (at < bytes.length) {
    const target = reader.next();
    const partial = parser.partialTarget();
    const direct = partial !== null && target.buffer === partial.buffer && target.byteOffset === partial.byteOffset;
    if (lastWasDirect && !direct) offersAfterDirect.push(target.length);
    const count = Math.min(target.length, available(at), bytes.length - at);
    bytes.copy(target, 0, at, at + count);
    at += count;
    reader.received(count);
    lastWasDirect = direct;
    reads++;
  }
  return { offersAfterDirect, reads };
}

const someBytes = (seed: number): (() => number) => {
  const next = seededRandom(seed);
  return () => 1 + Math.floor(next() * 200 * 1024);
};

describe('SocketReader', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`hands out every binary reply byte for byte, whatever the read sizes (seed ${seed})`, () => {
      const values = SIZES.map((size, i) => value(size, i + seed));
      const bytes = Buffer.concat(values.map((v, i) => responseFrame({ opcode: Opcode.Get, opaque: i + 1, extras: flagsExtras(i), value: v })));
      const frames: ResponseFrame[] = [];
      stream(new FrameParser((frame) => frames.push(frame), () => LIMIT + 100), bytes, someBytes(seed));
      expect(frames.map((frame) => frame.opaque)).toEqual(values.map((_, i) => i + 1));
      frames.forEach((frame, i) => {
        expect(frame.flags()).toBe(i);
        expect(frame.value().equals(values[i]!)).toBe(true);
      });
    });

    it(`hands out every meta reply byte for byte, whatever the read sizes (seed ${seed})`, () => {
      const values = SIZES.map((size, i) => value(size, i + seed));
      const bytes = Buffer.concat(values.flatMap((v, i) => [Buffer.from(`VA ${v.length} f${i} c${i + 100} O${i + 1}\r\n`), v, Buffer.from('\r\n')]));
      const replies: MetaReply[] = [];
      const parser: ReplyParser = new MetaParser((reply) => replies.push(reply), () => LIMIT);
      stream(parser, bytes, someBytes(seed));
      expect(replies.map((reply) => reply.opaque)).toEqual(values.map((_, i) => i + 1));
      replies.forEach((reply, i) => {
        expect(reply.smallFlag('f')).toBe(i);
        expect(reply.value!.equals(values[i]!)).toBe(true);
      });
    });
  }

  it('after a read straight into a large reply, reads several large replies at once (views of one buffer), not two reads per reply', () => {
    const values = Array.from({ length: 40 }, (_, seed) => value(100 * 1024, seed));
    const bytes = Buffer.concat(values.map((v, i) => responseFrame({ opcode: Opcode.Get, opaque: i + 1, value: v })));
    const frames: ResponseFrame[] = [];
    const parser = new FrameParser((frame) => frames.push(frame), () => LIMIT);
    // The kernel has everything: each read fills what it is offered.
    const { offersAfterDirect, reads } = drive(parser, bytes, () => Infinity);
    expect(frames.map((frame, i) => frame.value().equals(values[i]!))).toEqual(values.map(() => true));
    for (const offer of offersAfterDirect) expect(offer).toBeGreaterThan(512 * 1024);
    // Before: a 4 KiB probe and the rest for each reply (80 reads); now ~1 MiB at a time.
    expect(reads).toBeLessThan(values.length * 0.5);
    const buffers = new Set(frames.map((frame) => frame.buffer.buffer));
    expect(buffers.size).toBeLessThan(values.length / 3);
  });

  it('one large reply at a time (sequential gets): after the first, each arrives in one read as a view, none assembled', () => {
    const values = Array.from({ length: 30 }, (_, seed) => value(100 * 1024, seed));
    const frames = values.map((v, i) => responseFrame({ opcode: Opcode.Get, opaque: i + 1, value: v }));
    const ends: number[] = [];
    frames.reduce((end, frame) => (ends.push(end + frame.length), end + frame.length), 0);
    const got: ResponseFrame[] = [];
    // The kernel holds only the reply being answered: no read gets past its end.
    const { reads } = drive(new FrameParser((frame) => got.push(frame), () => LIMIT), Buffer.concat(frames), (at) => ends.find((end) => end > at)! - at);
    expect(got.map((frame, i) => frame.value().equals(values[i]!))).toEqual(values.map(() => true));
    // Assembled in a buffer of its own (the first, and one cut by a large buffer's end now and then), or a view of a large read.
    const assembled = got.filter((frame) => frame.buffer.buffer.byteLength === frame.length).length;
    expect(assembled).toBeLessThanOrEqual(2 + values.length / 8);
    expect(reads).toBeLessThan(values.length * 1.3); // a probe and the rest for each: 2 per reply
  });

  it('copies small replies out of a large read buffer: a small value keeps at most 64 KiB alive, a large one at most 1 MiB', () => {
    for (const wire of ['binary', 'meta'] as const) {
      // Large and small replies interleaved, the kernel holding everything: small ones land in large buffers.
      const sizes = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 100 * 1024 : i % 3 === 1 ? 10 : 3000));
      const values = sizes.map((size, i) => value(size, i));
      const got: Buffer[] = [];
      const parser: ReplyParser = wire === 'binary'
        ? new FrameParser((frame) => got.push(frame.value()), () => LIMIT)
        : new MetaParser((reply) => got.push(reply.value!), () => LIMIT);
      const bytes = wire === 'binary'
        ? Buffer.concat(values.map((v, i) => responseFrame({ opcode: Opcode.Get, opaque: i + 1, value: v })))
        : Buffer.concat(values.flatMap((v, i) => [Buffer.from(`VA ${v.length} O${i + 1}\r\n`), v, Buffer.from('\r\n')]));
      stream(parser, bytes, () => Infinity);
      expect(got.map((v, i) => v.equals(values[i]!))).toEqual(values.map(() => true));
      for (const v of got) expect(v.buffer.byteLength).toBeLessThanOrEqual(v.length < 16 * 1024 ? 64 * 1024 : LIMIT);
    }
  });
});
