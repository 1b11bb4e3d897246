import { msgpackCodec, RecordKind } from '@mcc/codec';
import { describeLocation } from './describe-location';
import { DESCRIPTOR_KIND, REFERENCE_KIND } from './kinds';
import { descriptorRecord } from './descriptor';
import { newDescriptorKey, splitValueKey } from './keys';
import { referenceRecord } from './reference';
import { McasStatus } from './status';

const decoded = (value: unknown): unknown => msgpackCodec.decode(msgpackCodec.encode(value));

describe('describeLocation', () => {
  const descriptorKey = newDescriptorKey();

  test('the kinds are the codec record kinds 1 and 2', () => {
    expect(DESCRIPTOR_KIND).toBe(RecordKind.McasDescriptor);
    expect(REFERENCE_KIND).toBe(RecordKind.McasReference);
    expect([DESCRIPTOR_KIND, REFERENCE_KIND]).toEqual([1, 2]);
  });

  test('a user value, or a record of a layer above, is a value', () => {
    expect(describeLocation({ key: 'k', value: { d: descriptorKey, o: 1 }, kind: 0 })).toEqual({ type: 'value', kind: 0 });
    expect(describeLocation({ key: 'k', value: 1, kind: RecordKind.DequeAnchor })).toEqual({ type: 'value', kind: 3 });
  });

  test('a reference names its descriptor and carries the old value', () => {
    const value = decoded(referenceRecord({ descriptorKey, oldValue: 'before', oldKind: 0 }));
    expect(describeLocation({ key: 'k', value, kind: REFERENCE_KIND })).toEqual({ type: 'reference', descriptorKey, oldValue: 'before', oldKind: 0 });
  });

  test('a descriptor lists its status and keys; a split-out value names its descriptor', () => {
    const record = descriptorRecord({
      status: McasStatus.Succeeded,
      ttlSeconds: 60,
      items: ['a', 'b'].map((key) => ({ key, expectedCas: 1n, epoch: '', kind: 0, split: false, newValue: 1 })),
    });
    expect(describeLocation({ key: descriptorKey, value: decoded(record), kind: DESCRIPTOR_KIND })).toEqual({ type: 'descriptor', status: 1, keys: ['a', 'b'] });
    expect(describeLocation({ key: splitValueKey(descriptorKey, 1), value: 'v', kind: DESCRIPTOR_KIND })).toEqual({ type: 'split-value', descriptorKey, index: 1 });
  });

  test('a malformed MCAS record is invalid, with the reason', () => {
    expect(describeLocation({ key: 'k', value: { o: 1 }, kind: REFERENCE_KIND })).toMatchObject({ type: 'invalid', reason: expect.stringMatching(/descriptor key/) });
    expect(describeLocation({ key: 'user-key', value: {}, kind: DESCRIPTOR_KIND })).toMatchObject({ type: 'invalid' });
    expect(describeLocation({ key: descriptorKey, value: { s: 9 }, kind: DESCRIPTOR_KIND })).toMatchObject({ type: 'invalid', reason: expect.stringMatching(/status/) });
  });
});
