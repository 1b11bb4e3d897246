/**
 * The announcement log of cross-process combining (combine.ts): one item
 * per log generation, `mcc:dq:NAME:q:ID` (ID = the anchor's `q`, fresh for
 * every generation, so no log is ever re-created under a key someone has
 * read). Its value is a sequence of frames, written only with memcached
 * `append` (atomic on the server, no CAS needed), never changed otherwise.
 *
 * A frame is a MessagePack bin whose bytes are one MessagePack value, the
 * array `[opId, code, payload]` (the bin makes every frame self-delimiting,
 * so a reader never decodes past the bytes it was given):
 *
 *   code 1  push right   payload: non-empty array of elements (large values already written)
 *   code 2  push left    payload: same
 *   code 3  pop right    payload: nil
 *   code 4  pop left     payload: nil
 *   code 5  ack          payload: array of op ids whose results (anchor `x`) were read
 *
 * Only a combiner that switches generations creates a log (`add` of an
 * empty value, with a TTL as a backstop), before the CAS that names it;
 * announcers only `append` (memcached answers NOT_STORED for a missing
 * item, and creates nothing).
 */
import { mccFlags, RecordKind, type Store } from '@mcc/mcas';
import { isId } from './anchor';
import { isElement, type Element } from './element';
import type { DequeKeys } from './keys';
import { dropQuietly } from './records';

export const FrameCode = { PushRight: 1, PushLeft: 2, PopRight: 3, PopLeft: 4, Ack: 5 } as const;

export type Frame =
  | { readonly id: string; readonly code: 1 | 2; readonly elements: readonly Element[] }
  | { readonly id: string; readonly code: 3 | 4 }
  | { readonly id: string; readonly code: 5; readonly acked: readonly string[] };

/** A frame and the log offset just past it. */
export interface LogFrame {
  readonly frame: Frame;
  readonly end: number;
}

/** A log as read: its id and bytes (null: the item is missing). */
export interface LogRead {
  readonly q: string;
  readonly bytes: Buffer | null;
}

/** A log without a switch past this many bytes; a combiner that reads more starts a new generation. */
export const SWITCH_LOG_BYTES = 8 * 1024;
/** Announcers go direct rather than append to a log this long (nobody is consuming it). */
export const MAX_LOG_BYTES = 256 * 1024;
/** Logs outlive their generation by no more than this (a backstop: the switcher deletes the old one). */
export const LOG_TTL_SECONDS = 3600;

export function encodeFrame(store: Store, frame: Frame): Buffer {
  const payload = frame.code === 1 || frame.code === 2 ? frame.elements : frame.code === 5 ? frame.acked : null;
  const body = store.codec.encode([frame.id, frame.code, payload]);
  const length = body.length;
  const header = length < 0x100 ? Buffer.from([0xc4, length]) : length < 0x10000 ? Buffer.from([0xc5, length >> 8, length & 0xff]) : Buffer.alloc(5);
  if (length >= 0x10000) {
    header[0] = 0xc6;
    header.writeUInt32BE(length, 1);
  }
  return Buffer.concat([header, body]);
}

function parseFrame(value: unknown): Frame | string {
  if (!Array.isArray(value) || value.length !== 3) return 'a frame is not [opId, code, payload]';
  const [id, code, payload] = value as [unknown, unknown, unknown];
  if (!isId(id)) return 'a frame op id is not 1-64 characters of base64url';
  if (code === 1 || code === 2) {
    if (!Array.isArray(payload) || payload.length === 0 || !payload.every(isElement)) return 'a push frame does not carry a list of elements';
    return { id, code, elements: payload as Element[] };
  }
  if (code === 3 || code === 4) return payload === null ? { id, code } : 'a pop frame carries a payload';
  if (code === 5) return Array.isArray(payload) && payload.every(isId) ? { id, code, acked: payload as string[] } : 'an ack frame does not carry a list of op ids';
  return `unknown frame code ${String(code)}`;
}

/** The frames of `bytes` from offset `from` on, or what is wrong with them (a torn or foreign log). */
export function parseFrames(store: Store, bytes: Buffer, from: number): LogFrame[] | string {
  const frames: LogFrame[] = [];
  let offset = from;
  while (offset < bytes.length) {
    const tag = bytes[offset]!;
    const width = tag === 0xc4 ? 1 : tag === 0xc5 ? 2 : tag === 0xc6 ? 4 : 0;
    if (width === 0 || offset + 1 + width > bytes.length) return `no frame starts at byte ${offset}`;
    const length = bytes.readUIntBE(offset + 1, width);
    const start = offset + 1 + width;
    if (start + length > bytes.length) return `the frame at byte ${offset} runs past the end of the log`;
    let decoded: unknown;
    try {
      decoded = store.codec.decode(bytes.subarray(start, start + length));
    } catch (error) {
      return `the frame at byte ${offset} does not decode (${(error as Error).message})`;
    }
    const frame = parseFrame(decoded);
    if (typeof frame === 'string') return `${frame} (byte ${offset})`;
    offset = start + length;
    frames.push({ frame, end: offset });
  }
  return frames;
}

/** The items of the logs of one deque. */
export class AnnouncementLog {
  readonly #flags: number;

  constructor(
    readonly store: Store,
    readonly keys: DequeKeys,
  ) {
    this.#flags = mccFlags(RecordKind.DequeNode, store.codec.id);
  }

  /** Appends frames; false if the log is missing (NOT_STORED: nothing was written). */
  async append(q: string, bytes: Buffer): Promise<boolean> {
    return (await this.store.client.append(this.keys.log(q), bytes)) !== null;
  }

  /** Reads log `q` (bytes null when missing, or when the item is not a log: a reader must not trust it). */
  async read(q: string): Promise<LogRead> {
    const item = await this.store.client.get(this.keys.log(q));
    return { q, bytes: item === null || item.flags !== this.#flags ? null : item.value };
  }

  /** Creates the empty log `q` (a fresh random id: `add` cannot meet an existing item). */
  async create(q: string): Promise<boolean> {
    return (await this.store.client.add(this.keys.log(q), Buffer.alloc(0), { flags: this.#flags, ttl: LOG_TTL_SECONDS })) !== null;
  }

  /** Deletes a log no anchor names any more (quietly: a leftover expires with its TTL). */
  drop(q: string): void {
    dropQuietly(this.store, this.keys.log(q));
  }
}
