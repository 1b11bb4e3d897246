/**
 * The announcer's side of cross-process combining (the rules: combine.ts):
 * the one-flush announcement, the acks of results read, the spare log a
 * switch installs, and turning a recorded result into the caller's value.
 */
import { ConnectionError, InvalidArgumentError, ServerError, ValueTooLargeError } from '@mcc/mcas';
import { isOpResult, type OpResult } from './anchor';
import { isExternal } from './element';
import { DequeCorruptedError } from './errors';
import { randomId } from './ids';
import { AnnouncementLog, encodeFrame, type Frame, type LogRead } from './log';
import type { Operation } from './plan';
import { dropQuietly, type AnchorEntry, type DequeRecords } from './records';

/** How an announcement went: `lost` — the reply to the append was lost (it may or may not have landed). */
export type Appended = 'ok' | 'missing' | 'lost' | 'refused';

export interface Sent {
  readonly appended: Appended;
  /** The log and the anchor read right behind the append (null when a read failed). */
  readonly log: LogRead | null;
  readonly anchor: AnchorEntry | null;
}

/** The frame announcing `operation` (pushes and pops only), or null for one that is not announced. */
export function frameFor(id: string, operation: Operation): Frame | null {
  if (operation.kind === 'push') return operation.elements.length === 0 ? null : { id, code: operation.side === 'right' ? 1 : 2, elements: operation.elements };
  if (operation.kind === 'pop') return { id, code: operation.side === 'right' ? 3 : 4 };
  return null;
}

/**
 * Whether a failed append certainly stored nothing: the server answered with
 * a refusal (too large, out of memory), or the client refused it before
 * writing anything (size, arguments, a connection that never came up).
 */
function certainlyNotStored(error: unknown): boolean {
  return error instanceof ServerError || error instanceof ValueTooLargeError || error instanceof InvalidArgumentError || error instanceof ConnectionError;
}

export class Announcer {
  readonly log: AnnouncementLog;
  /** Op ids whose results this process has read (or applied itself) and that may still be in the anchor's `x`. */
  readonly acks = new Set<string>();
  /** A log created for the next switch and not yet named by any anchor (reused after a lost switch). */
  #spare: string | null = null;

  constructor(readonly records: DequeRecords) {
    this.log = new AnnouncementLog(records.store, records.keys);
  }

  /** The ack frame for every result read and perhaps not yet removed, or null. */
  ackFrame(id: string): Frame | null {
    return this.acks.size === 0 ? null : { id, code: 5, acked: [...this.acks] };
  }

  /** Forgets acks the anchor no longer needs (their results are gone from `x`). */
  observe(entry: AnchorEntry): void {
    const x = entry.value.x ?? {};
    for (const id of this.acks) if (!(id in x)) this.acks.delete(id);
  }

  /** Own acked ids still in the anchor: a CAS of ours removes them itself. */
  dropsFor(entry: AnchorEntry): string[] {
    const x = entry.value.x ?? {};
    return [...this.acks].filter((id) => id in x);
  }

  /**
   * Append, read the log, read the anchor — queued in one tick, so one flush
   * and (one server) one round trip; memcached answers a connection in
   * order, so the log read sees the append.
   */
  async send(q: string, frames: readonly Frame[]): Promise<Sent> {
    const bytes = Buffer.concat(frames.map((frame) => encodeFrame(this.records.store, frame)));
    const [appended, log, anchor] = await Promise.allSettled([this.log.append(q, bytes), this.log.read(q), this.records.readAnchor()]);
    let outcome: Appended;
    if (appended.status === 'fulfilled') outcome = appended.value ? 'ok' : 'missing';
    else if (certainlyNotStored(appended.reason)) outcome = 'refused';
    // Anything else may have been written: a closed connection, a timeout, a torn reply (a
    // ProtocolError for a request in flight). Treating such an append as not stored and then
    // applying its operations directly would apply them twice if the frame did land.
    else outcome = 'lost';
    // A failed read is simply no read: the loop reads again (and reports a corrupt anchor itself).
    return { appended: outcome, log: log.status === 'fulfilled' ? log.value : null, anchor: anchor.status === 'fulfilled' ? anchor.value : null };
  }

  /** Sends the pending acks on their own, without waiting (the process has nothing else to send). */
  flushAcks(q: string, id: string): void {
    const frame = this.ackFrame(id);
    if (frame !== null) void this.log.append(q, encodeFrame(this.records.store, frame)).catch(() => {});
  }

  /** The id of a fresh, empty log to switch to; its `add` is sent now, ahead of the CAS naming it. */
  spareLog(): string {
    if (this.#spare === null) {
      this.#spare = randomId();
      // Not awaited: one server answers it before the CAS behind it; if it fails, announcers
      // find the log missing and the next combiner switches again (never unsafe).
      void this.log.create(this.#spare).catch(() => {});
    }
    return this.#spare;
  }

  /** The spare was installed — or may have been (a lost reply): never offer it again. */
  spareUsed(): void {
    this.#spare = null;
  }

  /**
   * The caller's value for a recorded result: a popped large value is read
   * from its item (the combiner did not fetch it) and then deleted — the
   * result in `x` was its last reference, so it is acked only after this.
   */
  async valueOf(result: OpResult): Promise<unknown> {
    if (result === true || result === null) return undefined;
    if (!isExternal(result)) return this.records.decodeInline(result[1]);
    const entry = await this.records.store.get(result[1]);
    if (entry === null) throw new DequeCorruptedError(this.records.name, result[1], 'a popped value recorded for its announcer is missing');
    dropQuietly(this.records.store, result[1]);
    return entry.value;
  }
}

/** The result recorded for `id` in the anchor, or undefined if there is none. */
export function recordedResult(entry: AnchorEntry, id: string): OpResult | undefined {
  const x = entry.value.x;
  if (x === undefined || !Object.prototype.hasOwnProperty.call(x, id)) return undefined;
  const result = x[id];
  return isOpResult(result) ? result : undefined;
}
