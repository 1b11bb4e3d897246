/**
 * Cross-process combining: many processes' pushes and pops applied by one
 * anchor CAS. The owner of the rules; the engine (engine.ts) runs them in
 * its one anchor loop, the announcer's flush is in announce.ts, the log
 * format in log.ts, the anchor fields (`g q k x`) in anchor.ts.
 *
 * After Fatourou & Kallimanis's CC-Synch / P-Sim (SPAA 2011, PPoPP 2012)
 * and flat combining (Hendler, Incze, Shavit & Tzafrir, SPAA 2010), over a
 * server: a contended process *announces* its operations by appending
 * frames to the deque's log (memcached `append`: atomic, no CAS, so every
 * announcement lands), and whichever process next wins the anchor CAS
 * applies every announced frame in log order — and its own local
 * operations — in that one CAS, recording each frame's result in the
 * anchor (`x`). Unlike CC-Synch nobody waits for a combiner: an announcer
 * whose frame is not yet applied combines itself (lock-free).
 *
 *   announced op:  append frame ──▶ read log + anchor (same flush)
 *                        │
 *          ┌─────────────┼───────────────────────────────┐
 *          ▼             ▼                               ▼
 *   id in anchor.x   log q still current,           anchor.q ≠ q, id ∉ x:
 *   → result: read   frame at/after k:              dead (never applied,
 *     it, ack it     combine: plan frames k…end     never can be) →
 *                    + own local ops, CAS ──lost──▶ announce again in the
 *                         │ won                     current log
 *                         ▼
 *                    results from the plan (also recorded in x), ack them
 *
 * Linearization: an announced operation takes effect at the anchor CAS
 * that applies its frame — after its append (its invocation) and before its
 * caller returns (who first sees the anchor with its result), so direct
 * CASes and combined ones mix freely, and MCAS moves and transact carry the
 * new fields unchanged (plan.ts). Frames are applied from `k` in log order,
 * and `k` only grows within a log, so a frame is applied at most once.
 *
 * Results: every applied frame's result is recorded in `x` (the combiner's
 * own ones too) and kept until an ack frame — or the announcer's own later
 * CAS — removes it; never a bounded window (a dropped result would lose a
 * popped value). So "applied" is exactly "id in x", whatever reply was lost.
 *
 * Generations: a combiner that read more than SWITCH_LOG_BYTES of log `q`
 * (or found it missing or unreadable) applies it up to what it read and
 * switches: `g + 1`, a fresh id `q'`, `k = 0`, the new log created (empty,
 * `add`) before that CAS. Frames appended to log `q` beyond what the switch
 * applied are dead by definition: their announcers see `q` replaced and
 * their id not in `x`, and announce again. A lost reply to an append is
 * resolved the same way: id in x → applied; log replaced → dead; frame
 * absent from the current log → force a switch first (a late append then
 * lands in a dead log), then dead.
 */
import { combiningOf, type Anchor, type OpResult } from './anchor';
import { elementSize, type Element } from './element';
import { FrameCode, parseFrames, SWITCH_LOG_BYTES, type Frame, type LogFrame, type LogRead } from './log';
import type { Operation } from './plan';
import type { Store } from '@mcc/mcas';

/** The frames of the current log a combined CAS applies, from `k` on. */
export interface LogSlice {
  /** Frames applied, in log order (acks included). */
  readonly frames: readonly LogFrame[];
  /** Planner operations of the non-ack frames, in order, and those frames. */
  readonly operations: readonly Operation[];
  readonly opFrames: readonly Frame[];
  /** The anchor's new `k`. */
  readonly end: number;
  /** Whether the log must be switched: missing, unreadable, or long enough. */
  readonly switchLog: boolean;
}

function operationOf(frame: Frame): Operation | null {
  switch (frame.code) {
    case FrameCode.PushRight:
      return { kind: 'push', side: 'right', elements: frame.elements };
    case FrameCode.PushLeft:
      return { kind: 'push', side: 'left', elements: frame.elements };
    case FrameCode.PopRight:
      return { kind: 'pop', side: 'right', forOther: true };
    case FrameCode.PopLeft:
      return { kind: 'pop', side: 'left', forOther: true };
    default:
      return null;
  }
}

/** What log `log` (read for `anchor.q`) gives a CAS on `anchor`: at most `maxFrames` operations. */
export function sliceLog(store: Store, anchor: Anchor, log: LogRead, maxFrames: number): LogSlice {
  const combining = combiningOf(anchor)!;
  const unusable: LogSlice = { frames: [], operations: [], opFrames: [], end: combining.k, switchLog: true };
  // Missing (deleted by a refused meta append, evicted, expired) or shorter than what was
  // applied (not the log the anchor applied): nothing more can be applied from it.
  if (log.bytes === null || log.bytes.length < combining.k) return unusable;
  const parsed = parseFrames(store, log.bytes, combining.k);
  if (typeof parsed === 'string') return unusable;
  const frames: LogFrame[] = [];
  const operations: Operation[] = [];
  const opFrames: Frame[] = [];
  for (const entry of parsed) {
    const operation = operationOf(entry.frame);
    if (operation !== null) {
      if (operations.length >= maxFrames) break;
      operations.push(operation);
      opFrames.push(entry.frame);
    }
    frames.push(entry);
  }
  const end = frames.length === 0 ? combining.k : frames[frames.length - 1]!.end;
  // Switch only after applying everything read: a frame left behind by a switch would die.
  return { frames, operations, opFrames, end, switchLog: end === log.bytes.length && end > SWITCH_LOG_BYTES };
}

/** The result a frame's operation records: `popped` is the plan's element for it. */
export function resultOf(frame: Frame, popped: Element | undefined): OpResult {
  if (frame.code === FrameCode.PushLeft || frame.code === FrameCode.PushRight) return true;
  return popped ?? null;
}

/**
 * The anchor to CAS in: the planned one with the slice's results recorded,
 * its acks (and the caller's own `drop`) applied, and `k` advanced — or a
 * switch to the fresh log `switchTo` (which also installs combining on an
 * anchor that never combined).
 */
export function combinedAnchor(planned: Anchor, before: Anchor, slice: LogSlice | null, results: readonly OpResult[], drop: readonly string[], switchTo: string | null): Anchor {
  const combining = combiningOf(before);
  const x: Record<string, OpResult> = { ...(combining?.x ?? {}) };
  let next = 0;
  for (const { frame } of slice?.frames ?? []) {
    if (frame.code === FrameCode.Ack) for (const id of frame.acked) delete x[id];
    else x[frame.id] = results[next++]!;
  }
  for (const id of drop) delete x[id];
  const g = combining?.g ?? -1;
  if (switchTo !== null) return { ...planned, v: 2, g: g + 1, q: switchTo, k: 0, x };
  return { ...planned, v: 2, g, q: combining!.q, k: slice?.end ?? combining!.k, x };
}

/** Encoded bytes of the pending results (bounded with the buffers, so a CAS never outgrows the item). */
export function resultsSize(anchor: Anchor): number {
  let total = 0;
  for (const [id, result] of Object.entries(anchor.x ?? {})) total += id.length + 2 + (result === true || result === null ? 1 : elementSize(result));
  return total;
}
