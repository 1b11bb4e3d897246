import { msgpackCodec } from '@mcc/codec';
import { newDescriptorKey } from './keys';
import { RecordError } from './record-error';
import { parseReference, REFERENCE_OVERHEAD_BYTES, referenceRecord } from './reference';

function roundTrip(value: unknown): unknown {
  return msgpackCodec.decode(msgpackCodec.encode(value));
}

describe('reference record', () => {
  const descriptorKey = newDescriptorKey();

  test('has the documented shape: the kind only when not 0', () => {
    expect(roundTrip(referenceRecord({ descriptorKey, oldValue: { n: 1 }, oldKind: 0 }))).toEqual({ d: descriptorKey, o: { n: 1 } });
    expect(roundTrip(referenceRecord({ descriptorKey, oldValue: [1, 2], oldKind: 3 }))).toEqual({ d: descriptorKey, o: [1, 2], k: 3 });
  });

  test.each([null, 0, -1, 2 ** 40, 'text', '', [], {}, { nested: { list: [1, 'a', null] } }, Buffer.alloc(300_000, 7), new Date(0)])(
    'round-trips the old value %p within the documented overhead',
    (oldValue) => {
      const record = referenceRecord({ descriptorKey, oldValue, oldKind: 4 });
      const overhead = msgpackCodec.encode(record).length - msgpackCodec.encode(oldValue).length;
      expect(overhead).toBeLessThanOrEqual(REFERENCE_OVERHEAD_BYTES);
      expect(parseReference(roundTrip(record))).toEqual({ descriptorKey, oldValue, oldKind: 4 });
    },
  );

  test.each<[string, unknown, RegExp]>([
    ['a non-map', [1], /not a map/],
    ['no descriptor key', { o: 1 }, /descriptor key/],
    ['a descriptor key of the wrong form', { d: 'mcc:mcas:short', o: 1 }, /descriptor key/],
    ['no old value', { d: newDescriptorKey() }, /no old value/],
    ['a bad kind', { d: newDescriptorKey(), o: 1, k: 'x' }, /old kind/],
  ])('refuses %s', (_name, value, message) => {
    expect(() => parseReference(value)).toThrow(RecordError);
    expect(() => parseReference(value)).toThrow(message);
  });
});
