import { ProtocolError } from '../errors';
import { MetaParser } from './meta-parser';
import type { MetaReply } from './meta-reply';

interface Parsed {
  line: string;
  value: string | null;
  opaque: number | null;
}

const LIMIT = 2 * 1024 * 1024;
const big = 'a'.repeat(70_000);
const stream = [
  'HD c12 O1\r\n',
  'VA 12 c5 f3 O2\r\nhello\r\nworld\r\n', // a data block may contain "\r\n"
  'EN O3\r\n',
  `VA ${big.length} c6 f0 O4\r\n${big}\r\n`,
  'STAT pid 42\r\nEND\r\n',
  'VA 0 c7 f0 O5\r\n\r\n',
  'SERVER_ERROR out of memory storing object\r\n',
  'MN\r\n',
];
const expected: Parsed[] = [
  { line: 'HD c12 O1', value: null, opaque: 1 },
  { line: 'VA 12 c5 f3 O2', value: 'hello\r\nworld', opaque: 2 },
  { line: 'EN O3', value: null, opaque: 3 },
  { line: `VA ${big.length} c6 f0 O4`, value: big, opaque: 4 },
  { line: 'STAT pid 42', value: null, opaque: null },
  { line: 'END', value: null, opaque: null },
  { line: 'VA 0 c7 f0 O5', value: '', opaque: 5 },
  { line: 'SERVER_ERROR out of memory storing object', value: null, opaque: null },
  { line: 'MN', value: null, opaque: null },
];

function parser(into: Parsed[], limit = LIMIT): MetaParser {
  return new MetaParser((reply: MetaReply) => into.push({ line: reply.line, value: reply.value?.toString('latin1') ?? null, opaque: reply.opaque }), () => limit);
}

describe('MetaParser', () => {
  const whole = Buffer.from(stream.join(''), 'latin1');

  it('decodes a stream of replies in one chunk, data blocks as views', () => {
    const replies: Parsed[] = [];
    parser(replies).feed(whole);
    expect(replies).toEqual(expected);
  });

  it('decodes the stream split at every offset of its small part', () => {
    const small = Buffer.from(stream.slice(0, 3).join(''), 'latin1');
    for (let cut = 1; cut < small.length; cut++) {
      const replies: Parsed[] = [];
      const p = parser(replies);
      p.feed(small.subarray(0, cut));
      p.feed(small.subarray(cut));
      expect(replies).toEqual(expected.slice(0, 3));
    }
  });

  it('decodes random chunkings of the whole stream', () => {
    let seed = 7;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let round = 0; round < 30; round++) {
      const replies: Parsed[] = [];
      const p = parser(replies);
      for (let offset = 0; offset < whole.length;) {
        const size = 1 + Math.floor(random() * (round % 2 === 0 ? 50 : 20_000));
        p.feed(whole.subarray(offset, offset + size));
        offset += size;
      }
      expect(replies).toEqual(expected);
    }
  });

  it('lets the socket read the rest of a split data block straight into its buffer', () => {
    const replies: Parsed[] = [];
    const p = parser(replies);
    const head = Buffer.from(`VA ${big.length} c6 f0 O4\r\n${big.slice(0, 100)}`, 'latin1');
    p.feed(head);
    const rest = Buffer.from(`${big.slice(100)}\r\n`, 'latin1');
    const target = p.partialTarget()!;
    expect(target.length).toBe(rest.length);
    rest.copy(target);
    p.partialReceived(rest.length);
    expect(replies).toEqual([expected[3]]);
    expect(p.partialTarget()).toBeNull();
  });

  it('refuses lengths it has not bounded, before allocating', () => {
    expect(() => parser([], 1000).feed(Buffer.from('VA 1001 c1 O1\r\n'))).toThrow(/larger than the 1000 bytes/);
    expect(() => parser([]).feed(Buffer.from('VA 99999999999 c1 O1\r\n'))).toThrow(ProtocolError);
    expect(() => parser([]).feed(Buffer.from('VA x c1 O1\r\n'))).toThrow(ProtocolError);
    expect(() => parser([]).feed(Buffer.from(`HD ${'x'.repeat(9000)}`))).toThrow(/longer than 8192/);
    const split = parser([]);
    split.feed(Buffer.from('HD ' + 'x'.repeat(5000)));
    expect(() => split.feed(Buffer.from('x'.repeat(5000)))).toThrow(/longer than 8192/);
  });

  it('refuses a line without "\\r" and a data block without its "\\r\\n"', () => {
    expect(() => parser([]).feed(Buffer.from('HD\n'))).toThrow(/does not end in/);
    expect(() => parser([]).feed(Buffer.from('VA 2 O1\r\nabcd'))).toThrow(/not followed by/);
    const split = parser([]);
    split.feed(Buffer.from('VA 2 O1\r\na'));
    expect(() => split.feed(Buffer.from('bXY'))).toThrow(/not followed by/);
  });

  it('forgets a partial reply on reset', () => {
    const replies: Parsed[] = [];
    const p = parser(replies);
    p.feed(Buffer.from('VA 5 O1\r\nab'));
    p.reset();
    p.feed(Buffer.from('EN O3\r\n'));
    expect(replies).toEqual([expected[2]]);
  });
});
