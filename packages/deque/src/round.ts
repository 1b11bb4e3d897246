/**
 * One announcement of this process (combine.ts has the rules): its frames in
 * log `q` not yet settled, where they sit in the log, and the decision the
 * engine's loop takes on every anchor it sees — settle what is applied,
 * give up on frames of a replaced log (announce them again), wait for the
 * combiner ahead in line, or combine now.
 *
 * Waiting in line (as in CC-Synch, where the combiner role passes down the
 * queue of announcements): the owner of the first unapplied frame combines
 * at once; the others re-read the anchor, so the next CAS applies
 * everything announced meanwhile, instead of every announcer
 * racing for the anchor with only its own frame. The wait is bounded
 * (MAX_POLLS reads): then an announcer combines itself, so a combiner that
 * stalled or died holds nobody up (lock-free).
 */
import type { OpResult } from './anchor';
import { recordedResult } from './announce';
import { FrameCode, parseFrames, type Frame, type LogRead } from './log';
import type { AnchorEntry } from './records';
import type { Store } from '@mcc/mcas';

/** Re-reads of the anchor while someone ahead in line should be combining, before combining anyway. */
export const MAX_POLLS = 2;

export type RoundStep =
  /** Every frame settled. */
  | 'settled'
  /** The log was replaced and these frames are not in `x`: dead, to announce again. */
  | 'dead'
  /** Someone ahead in line is due to combine: read again. */
  | 'wait'
  /** Plan the log from `k`, our frames included, and CAS. */
  | 'combine';

export class Round<P> {
  readonly open = new Map<string, P>();
  /** The log as last read (after the append). */
  log: LogRead | null = null;
  /** Log offset where our append begins (null: not found in the log read). */
  #start: number | null = null;
  #polls = 0;
  #store: Store | null = null;

  constructor(
    readonly q: string,
    /** The id of the first frame of our append (an ack or an operation). */
    readonly firstId: string,
  ) {}

  /** Finds our append in the log read with it (frames before offset `from` are applied already). */
  locate(store: Store, from: number): void {
    this.#store = store;
    const bytes = this.log?.bytes;
    if (bytes == null || bytes.length < from) return;
    const frames = parseFrames(store, bytes, from);
    if (typeof frames === 'string') return;
    let start = from;
    for (const { frame, end } of frames) {
      if (frame.id === this.firstId) {
        this.#start = start;
        return;
      }
      start = end;
    }
  }

  /** Takes out the frames whose results `anchor` records; returns them. */
  absorb(anchor: AnchorEntry): [string, P, OpResult][] {
    const found: [string, P, OpResult][] = [];
    for (const [id, pending] of this.open) {
      const result = recordedResult(anchor, id);
      if (result !== undefined) found.push([id, pending, result]);
    }
    for (const [id] of found) this.open.delete(id);
    return found;
  }

  /** What to do next, with `anchor` just seen (after absorb). */
  step(anchor: AnchorEntry): RoundStep {
    if (this.open.size === 0) return 'settled';
    if (anchor.value.q !== this.q) return 'dead';
    if (this.#polls >= MAX_POLLS || !this.#behindOthers(anchor.value.k!)) return 'combine';
    this.#polls++;
    return 'wait';
  }

  /** Whether another process's unapplied operation precedes our append in the log (acks do not count: nobody combines for them). */
  #behindOthers(k: number): boolean {
    const bytes = this.log?.bytes;
    if (this.#start === null || bytes == null || k >= this.#start || bytes.length < this.#start) return false;
    const frames = parseFrames(this.#store!, bytes.subarray(0, this.#start), k);
    return typeof frames !== 'string' && frames.some(({ frame }) => frame.code !== FrameCode.Ack);
  }

  /** Takes out the frames our own CAS applied; returns them with their results. */
  applied(frames: readonly Frame[], results: readonly OpResult[]): [string, P, OpResult][] {
    const found: [string, P, OpResult][] = [];
    frames.forEach((frame, index) => {
      const pending = this.open.get(frame.id);
      if (pending === undefined) return;
      this.open.delete(frame.id);
      found.push([frame.id, pending, results[index]!]);
    });
    return found;
  }

  /** Whether every open frame of ours is among `frames`. */
  allIn(frames: readonly Frame[]): boolean {
    let found = 0;
    for (const frame of frames) if (this.open.has(frame.id)) found++;
    return found === this.open.size;
  }

  /** After a lost reply to the append: is a frame of ours missing from the current log from `k` on (so a late append could still land)? */
  ownFrameMissing(store: Store, k: number): boolean {
    const bytes = this.log?.bytes;
    if (bytes == null) return true;
    const frames = parseFrames(store, bytes, k);
    if (typeof frames === 'string') return true;
    const present = new Set(frames.map(({ frame }) => frame.id));
    return [...this.open.keys()].some((id) => !present.has(id));
  }
}
