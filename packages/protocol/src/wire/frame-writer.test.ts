import { HEADER_LENGTH, Opcode, REQUEST_MAGIC } from './constants';
import { FrameWriter, type RequestFrame } from './frame-writer';

type Fields = Partial<RequestFrame> & { opaque?: number };

/** A writer whose write takes the frame and its opaque in one object, as these tests build them. */
class TestWriter extends FrameWriter {
  writeFields(fields: Fields): void {
    const { opaque = 1, ...rest } = fields;
    const key = rest.key ?? null;
    super.write({ opcode: Opcode.Get, cas: 0n, key, keyLength: key === null ? 0 : Buffer.byteLength(key), extras: null, value: null, ...rest }, opaque);
  }
}

function request(fields: Fields): Fields {
  return fields;
}

describe('FrameWriter', () => {
  it('encodes a set exactly: header, extras, key, value', () => {
    const writer = new TestWriter();
    writer.writeFields(request({
      opcode: Opcode.Set, opaque: 0x01020304, cas: 0x1122334455667788n, key: 'ké', keyLength: 3,
      extras: { kind: 'store', flags: 0xcafebabe, ttl: 60 }, value: Buffer.from('val'),
    }));
    const bytes = Buffer.concat(writer.take());
    expect(bytes.length).toBe(HEADER_LENGTH + 8 + 3 + 3);
    expect(bytes[0]).toBe(REQUEST_MAGIC);
    expect(bytes[1]).toBe(Opcode.Set);
    expect(bytes.readUInt16BE(2)).toBe(3); // key length in bytes, not characters
    expect(bytes[4]).toBe(8);
    expect(bytes[5]).toBe(0);
    expect(bytes.readUInt16BE(6)).toBe(0);
    expect(bytes.readUInt32BE(8)).toBe(14); // extras + key + value
    expect(bytes.readUInt32BE(12)).toBe(0x01020304);
    expect(bytes.readBigUInt64BE(16)).toBe(0x1122334455667788n);
    expect(bytes.readUInt32BE(24)).toBe(0xcafebabe);
    expect(bytes.readUInt32BE(28)).toBe(60);
    expect(bytes.subarray(32, 35).toString('utf8')).toBe('ké');
    expect(bytes.subarray(35).toString()).toBe('val');
  });

  it('encodes counter extras: delta, initial, expiration', () => {
    const writer = new TestWriter();
    writer.writeFields(request({ opcode: Opcode.Increment, key: 'n', extras: { kind: 'counter', delta: 5n, initial: 2n ** 63n, ttl: 0xffffffff } }));
    const bytes = Buffer.concat(writer.take());
    expect(bytes[4]).toBe(20);
    expect(bytes.readBigUInt64BE(24)).toBe(5n);
    expect(bytes.readBigUInt64BE(32)).toBe(2n ** 63n);
    expect(bytes.readUInt32BE(40)).toBe(0xffffffff);
    expect(bytes.subarray(44).toString()).toBe('n');
  });

  it('coalesces many small requests into one chunk', () => {
    const writer = new TestWriter();
    for (let i = 0; i < 100; i++) writer.writeFields(request({ opaque: i, key: `key${i}` }));
    const chunks = writer.take();
    expect(chunks).toHaveLength(1);
    expect(writer.pendingBytes).toBe(0);
    expect(writer.take()).toEqual([]);
  });

  it('never rewrites bytes it handed out', () => {
    const writer = new TestWriter();
    writer.writeFields(request({ opaque: 1, key: 'first' }));
    const [first] = writer.take();
    const snapshot = Buffer.from(first!);
    for (let i = 0; i < 5000; i++) writer.writeFields(request({ opaque: i, key: `later-${i}` })); // wraps into new slabs
    writer.take();
    expect(first!.equals(snapshot)).toBe(true);
  });

  it('passes a large value through as its own chunk, uncopied', () => {
    const writer = new TestWriter();
    const value = Buffer.alloc(1024 * 1024, 7);
    writer.writeFields(request({ opcode: Opcode.Set, key: 'big', extras: { kind: 'store', flags: 0, ttl: 0 }, value }));
    writer.writeFields(request({ opcode: Opcode.Noop }));
    const chunks = writer.take();
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe(value); // the very same Buffer reaches the socket
    expect(chunks[0]!.length).toBe(HEADER_LENGTH + 8 + 3);
    expect(chunks[2]!.length).toBe(HEADER_LENGTH);
    expect(chunks[0]!.readUInt32BE(8)).toBe(8 + 3 + value.length);
  });

  it('copies a small value next to its header', () => {
    const writer = new TestWriter();
    writer.writeFields(request({ opcode: Opcode.Set, key: 'k', extras: { kind: 'store', flags: 0, ttl: 0 }, value: Buffer.from('small') }));
    expect(writer.take()).toHaveLength(1);
  });
});
