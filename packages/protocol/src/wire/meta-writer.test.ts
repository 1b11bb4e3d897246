import { provisionalInfo, type ServerInfo } from '../connection/server-info';
import { CounterCommand } from '../commands/counter';
import { DeleteCommand } from '../commands/delete';
import { GetCommand } from '../commands/get';
import { StatsCommand } from '../commands/stats';
import { StoreCommand } from '../commands/store';
import { TouchCommand } from '../commands/touch';
import { COUNTER_NO_CREATE } from './constants';
import { COPY_VALUE_LIMIT } from './chunk-writer';
import { MetaWriter } from './meta-writer';

const text = (writer: MetaWriter): string => Buffer.concat(writer.take()).toString('utf8');
const server = (evictions: boolean): ServerInfo => ({ ...provisionalInfo('s:1', 1024 * 1024), evictions });

describe('MetaWriter', () => {
  it('writes decimals exactly: 0, every digit count up to 2^53, and bigints up to 2^64-1', () => {
    const numbers = [0, 9, 10, 99, 100, 4294967295, Number.MAX_SAFE_INTEGER];
    for (let n = 1; n < 1e15; n *= 7) numbers.push(Math.floor(n));
    const bigints = [0n, 1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 64n - 1n];
    const writer = new MetaWriter();
    for (const n of [...numbers, ...bigints]) writer.decimal(n).text(' ');
    expect(text(writer)).toBe([...numbers, ...bigints].map((n) => `${n} `).join(''));
  });

  it('writes ASCII keys, UTF-8 keys and long keys byte for byte', () => {
    const keys = ['k', 'ké', '日本', 'x'.repeat(64), 'y'.repeat(65), 'z'.repeat(250), 'é'.repeat(125)];
    const writer = new MetaWriter();
    for (const key of keys) writer.key(key, Buffer.byteLength(key)).text('|');
    expect(text(writer)).toBe(keys.map((key) => `${key}|`).join(''));
  });

  it('keeps the bytes in order when a request straddles two slabs', () => {
    const writer = new MetaWriter();
    const key = 'k'.repeat(200);
    let expected = '';
    // 64 KiB slabs: ~230-byte lines cross a slab boundary within 300 of them.
    for (let i = 0; i < 600; i++) {
      new GetCommand(key, key.length, false).encodeMeta(writer, i);
      expected += `mg ${key} v c f O${i}\r\n`;
    }
    const chunks = writer.take();
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).toString()).toBe(expected);
  });

  it('copies a small data block after its line, and sends a large one as its own chunk', () => {
    const writer = new MetaWriter();
    const small = Buffer.alloc(COPY_VALUE_LIMIT, 'a');
    const large = Buffer.alloc(COPY_VALUE_LIMIT + 1, 'b');
    new StoreCommand('set', 'k', 1, small, 0, 0, 0n, undefined).encodeMeta(writer, 1, server(true));
    new StoreCommand('set', 'k', 1, large, 0, 0, 0n, undefined).encodeMeta(writer, 2, server(true));
    const chunks = writer.take();
    expect(chunks.some((chunk) => chunk === large)).toBe(true); // the caller's buffer, not a copy
    expect(Buffer.concat(chunks).toString()).toBe(
      `ms k ${small.length} c O1\r\n${small}\r\nms k ${large.length} c O2\r\n${large}\r\n`,
    );
  });

  it('encodes every command as protocol.txt spells it', () => {
    const writer = new MetaWriter();
    const value = Buffer.from('val');
    new GetCommand('ké', 3, false).encodeMeta(writer, 7);
    new StoreCommand('add', 'k', 1, value, 5, 60, 0n, undefined).encodeMeta(writer, 8, server(true));
    new StoreCommand('replace', 'k', 1, value, 0, 7, 0n, undefined).encodeMeta(writer, 80, server(true));
    new StoreCommand('set', 'k', 1, value, 5, 60, 12345678901234567890n, undefined).encodeMeta(writer, 9, server(true));
    new StoreCommand('append', 'k', 1, value, 0, 0, 0n, undefined).encodeMeta(writer, 10, server(true));
    new StoreCommand('replace', 'k', 1, value, 5, 60, 0n, undefined).encodeMeta(writer, 11, server(false)); // -M: text command + read-back
    new StoreCommand('set', 'k', 1, value, 5, 60, 42n, undefined).encodeMeta(writer, 12, server(false));
    new DeleteCommand('k', 1, 0n, undefined, false).encodeMeta(writer, 13);
    new DeleteCommand('k', 1, 42n, undefined, false).encodeMeta(writer, 14);
    new TouchCommand('k', 1, 30).encodeMeta(writer, 15);
    new CounterCommand('incr', 'k', 1, 5n, 0n, COUNTER_NO_CREATE).encodeMeta(writer, 16);
    new CounterCommand('decr', 'k', 1, 2n ** 64n - 1n, 7n, 100).encodeMeta(writer, 17);
    new StatsCommand('settings').encodeMeta(writer);
    expect(text(writer).split('\r\n')).toEqual([
      'mg ké v c f O7',
      'ms k 3 c ME F5 T60 O8', 'val',
      'ms k 3 c MR T7 O80', 'val',
      'ms k 3 c F5 T60 C12345678901234567890 O9', 'val',
      'ms k 3 c MA O10', 'val',
      'replace k 5 60 3', 'val', 'mg k v c f O11',
      'cas k 5 60 3 42', 'val', 'mg k v c f O12',
      'md k O13',
      'md k C42 O14',
      'mg k T30 O15',
      'ma k v MI D5 O16',
      'ma k v MD D18446744073709551615 N100 J7 O17',
      'stats settings',
      '',
    ]);
  });
});
