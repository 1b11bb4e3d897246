/**
 * Making delayed jobs claimable when they are due (pushes with `delayMs`,
 * nacks with a delay): a sweep of the delayed deque's leftmost WINDOW jobs,
 * like the lease-log sweep (sweep.ts). Due jobs go onto `ready`'s right end
 * (they enter the queue at their due time); the others are rotated to the
 * delayed deque's right end when the window was full, so the next sweep
 * looks at the next ones — no job waits behind a long delay for more than
 * (delayed jobs / WINDOW) rotations, at most one per second per consumer
 * process when nothing in the window is due. One conditional `Deque.transact`; a job
 * is never claimable before its due time `u` (in the clock of the process
 * that pushed or nacked it).
 */
import { Deque, type TransactPush, type TransactValue } from '@mcc/deque';
import type { QueueCore } from './core';
import { parseItem, type ReadyItem, type TimedItem } from './records';
import { WINDOW } from './sweep';

/**
 * Returns how many jobs became claimable. `rotate`: whether a full window
 * with nothing due may be rotated (the caller rate-limits it: a rotation
 * rewrites the window's jobs into new chunks).
 */
export async function sweepDelayed(core: QueueCore, rotate: boolean): Promise<number> {
  const window = (await core.delayed.range(0, WINDOW - 1)).map((value) => parseItem(core.name, core.keys.delayed, value, true));
  const now = Date.now();
  const due = window.filter((item) => item.u <= now);
  if (due.length === 0 && (window.length < WINDOW || !rotate)) return 0; // none due among them (and them all, or no rotation now)
  const notDue: TransactValue[] = [];
  const toReady: TransactValue[] = [];
  window.forEach((item, index) => {
    if (item.u <= now) toReady.push({ value: { i: item.i, v: item.v, d: item.d } satisfies ReadyItem });
    else notDue.push({ keep: [0, index] });
  });
  const pushes: TransactPush[] = [];
  if (notDue.length > 0) pushes.push({ step: 0, side: 'right', values: notDue });
  if (toReady.length > 0) pushes.push({ step: 1, side: 'right', values: toReady });
  const steps = [{ deque: core.delayed, take: { side: 'left' as const, count: window.length } }, ...(toReady.length > 0 ? [{ deque: core.ready }] : [])];
  const outcome = await Deque.transact(steps, (taken) => (same(core, taken[0]!, window) ? { pushes, result: null } : undefined));
  return outcome.status === 'committed' ? due.length : 0;
}

function same(core: QueueCore, taken: readonly unknown[], window: readonly TimedItem[]): boolean {
  if (taken.length !== window.length) return false;
  return taken.every((value, index) => {
    const item = parseItem(core.name, core.keys.delayed, value, true);
    return item.i === window[index]!.i && item.d === window[index]!.d && item.u === window[index]!.u;
  });
}
