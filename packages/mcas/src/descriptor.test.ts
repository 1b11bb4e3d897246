import { msgpackCodec } from '@mcc/codec';
import { descriptorRecord, MAX_INLINE_TOTAL_BYTES, MAX_INLINE_VALUE_BYTES, parseDescriptor, planSplit, withStatus, type Descriptor } from './descriptor';
import { RecordError } from './record-error';
import { McasStatus } from './status';

const descriptor: Descriptor = {
  status: McasStatus.Undecided,
  ttlSeconds: 86_400,
  items: [
    { key: 'account:a', expectedCas: 17n, epoch: '123:1700000000', kind: 0, split: false, newValue: { balance: 90 } },
    { key: 'account:b', expectedCas: 2n ** 60n, epoch: '123:1700000000', kind: 3, split: true, newValue: 'big' },
    { key: 'account:c', expectedCas: 5n, epoch: '', kind: 0, split: false, newValue: null },
  ],
};

/** Through the real codec, as a helper in any language would see it. */
function roundTrip(value: unknown): unknown {
  return msgpackCodec.decode(msgpackCodec.encode(value));
}

describe('descriptor record', () => {
  test('has the documented shape', () => {
    expect(roundTrip(descriptorRecord(descriptor))).toEqual({
      s: 0,
      t: 86_400,
      i: [
        ['account:a', 17, { balance: 90 }, 0, '123:1700000000', 0],
        ['account:b', 2n ** 60n, null, 1, '123:1700000000', 3],
        ['account:c', 5, null, 0, '', 0],
      ],
    });
  });

  test('round-trips through msgpack, CAS ids as bigint whatever their size; split values are left out', () => {
    const parsed = parseDescriptor(roundTrip(descriptorRecord(descriptor)));
    expect(parsed).toEqual({ ...descriptor, items: descriptor.items.map((item) => (item.split ? { ...item, newValue: null } : item)) });
    expect(parseDescriptor(roundTrip(descriptorRecord(withStatus(descriptor, McasStatus.Failed)))).status).toBe(McasStatus.Failed);
  });

  test.each<[string, (record: { s: unknown; i: unknown[][]; t: unknown }) => void, RegExp]>([
    ['an unknown status', (r) => (r.s = 3), /status 3/],
    ['a missing TTL', (r) => (r.t = 'x'), /TTL/],
    ['a single item', (r) => (r.i = r.i.slice(0, 1)), /at least 2 items/],
    ['a short item', (r) => (r.i[1] = r.i[1]!.slice(0, 3)), /item 1 is not a 6-element array/],
    ['a zero CAS', (r) => (r.i[0]![1] = 0), /item 0's expected CAS/],
    ['a bad split flag', (r) => (r.i[0]![3] = 2), /split flag/],
    ['a bad kind', (r) => (r.i[2]![5] = 300), /item 2's kind/],
    ['unsorted items', (r) => r.i.reverse(), /not sorted/],
    ['duplicate keys', (r) => (r.i[1]![0] = 'account:a'), /not sorted by key without duplicates/],
  ])('refuses %s', (_name, spoil, message) => {
    const record = roundTrip(descriptorRecord(descriptor)) as { s: unknown; i: unknown[][]; t: unknown };
    spoil(record);
    expect(() => parseDescriptor(record)).toThrow(RecordError);
    expect(() => parseDescriptor(record)).toThrow(message);
  });

  test('refuses what is not a map', () => {
    for (const value of [null, 1, 'x', [], Buffer.from('x')]) expect(() => parseDescriptor(value)).toThrow(RecordError);
  });
});

describe('planSplit', () => {
  test('keeps small values inline', () => {
    expect(planSplit([10, 20, 30])).toEqual([false, false, false]);
  });

  test('splits out any value over 64 KiB', () => {
    expect(planSplit([MAX_INLINE_VALUE_BYTES, MAX_INLINE_VALUE_BYTES + 1, 1])).toEqual([false, true, false]);
  });

  test('splits out values that would bring the inline total over 256 KiB, keeping later small ones inline', () => {
    const size = MAX_INLINE_VALUE_BYTES;
    const plan = planSplit([size, size, size, size, 1, size]);
    expect(plan).toEqual([false, false, false, false, true, true]);
    expect(MAX_INLINE_TOTAL_BYTES).toBe(4 * size);
    expect(planSplit([100, 100, 100], 150)).toEqual([false, true, true]);
  });
});
