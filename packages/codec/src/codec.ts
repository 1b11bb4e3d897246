/**
 * The swappable part of the codec layer: how a value becomes the bytes of a
 * memcached item and back. Its `id` goes into the item flags (see
 * flags.ts and docs/FORMAT.md), so a reader knows which codec wrote an item.
 *
 * Buffer ownership: `encode` may return a view into memory the codec reuses
 * for later encodings only after the returned region (msgpackr writes into
 * a shared slab and never rewrites a region it handed out), so the bytes
 * stay valid for as long as they are held. `decode` must never return
 * anything that aliases `bytes`: the caller's buffer (often a view into a
 * socket chunk) is not the decoded value's to keep.
 */
export interface Codec {
  /** Codec id stored in the low byte of the item flags: 0-255 (see {@link CodecId}). */
  readonly id: number;
  /** Short name for messages, e.g. `msgpack`. */
  readonly name: string;
  /** @throws EncodeError naming the part of `value` that cannot be encoded */
  encode(value: unknown): Buffer;
  /** @throws DecodeError when `bytes` are not a valid encoding */
  decode(bytes: Buffer): unknown;
}

/**
 * Codec ids of the mcc format. 3-127 are reserved for future mcc codecs;
 * 128-255 are free for an application's own codecs.
 */
export const CodecId = Object.freeze({
  /** Bytes as they are (Buffer/Uint8Array/string in, Buffer out). */
  Raw: 0,
  /** MessagePack with the mcc type mapping (the default). */
  Msgpack: 1,
  /** UTF-8 JSON. */
  Json: 2,
} as const);
