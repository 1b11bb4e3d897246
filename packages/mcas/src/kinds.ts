/**
 * The record kinds MCAS writes, in bits 8-15 of the item flags (the codec's
 * RecordKind; docs/FORMAT.md §3): marking a reference out of band means no
 * user value can ever pass for one.
 */
import { RecordKind } from '@mcc/codec';

/** Record kind of an MCAS descriptor (and of its split-out values), in the item flags. */
export const DESCRIPTOR_KIND: number = RecordKind.McasDescriptor;
/** Record kind of a descriptor reference held by a location, in the item flags. */
export const REFERENCE_KIND: number = RecordKind.McasReference;
