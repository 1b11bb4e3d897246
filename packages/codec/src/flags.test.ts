import { InvalidArgumentError } from '@mcc/protocol';
import { FLAGS_MARKER, mccFlags, parseFlags, RecordKind } from './flags';

describe('item flags 0x4D43_KKCC', () => {
  test.each([
    [RecordKind.Value, 1, 0x4d430001],
    [RecordKind.Value, 0, 0x4d430000],
    [RecordKind.Value, 2, 0x4d430002],
    [RecordKind.McasDescriptor, 1, 0x4d430101],
    [RecordKind.McasReference, 1, 0x4d430201],
    [RecordKind.DequeAnchor, 1, 0x4d430301],
    [RecordKind.DequeNode, 1, 0x4d430401],
    [255, 255, 0x4d43ffff],
  ])('kind %i, codec %i → flags %i', (kind, codecId, flags) => {
    expect(mccFlags(kind, codecId)).toBe(flags);
    expect(parseFlags(flags)).toEqual({ type: 'mcc', kind, codecId });
  });

  test('the marker is ASCII "MC"', () => {
    expect(Buffer.from([FLAGS_MARKER >> 8, FLAGS_MARKER & 0xff]).toString('ascii')).toBe('MC');
  });

  test('flags 0 are untagged bytes; anything without the marker is foreign', () => {
    expect(parseFlags(0)).toEqual({ type: 'untagged' });
    for (const flags of [1, 2, 0xffff, 0x4d420001, 0x4d440001, 0xffffffff]) expect(parseFlags(flags)).toEqual({ type: 'foreign' });
  });

  test.each([-1, 256, 1.5, NaN])('refuses kind or codec id %p', (bad) => {
    expect(() => mccFlags(bad, 1)).toThrow(InvalidArgumentError);
    expect(() => mccFlags(0, bad)).toThrow(InvalidArgumentError);
  });
});
