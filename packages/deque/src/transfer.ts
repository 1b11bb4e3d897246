/**
 * A move between two deques: pop from one, push onto the other, as ONE
 * MCAS over both anchors (so it composes with every single-anchor CAS: those
 * read anchors through mcasGet and help a move in flight). The same steps as
 * the engine's loop — plan, fetch, write chunks, then the (M)CAS — with both
 * anchors read in one round trip. The engine runs it (engine.ts) and owns the
 * back-off between attempts.
 */
import { mcas } from '@mcc/mcas';
import type { Element } from './element';
import type { Side } from './plan';
import { prepare } from './prepare';
import { batchId } from './ids';
import { DequeRecords } from './records';

export interface AttemptHooks {
  attempted(): void;
  /** A lost race: resolves when it is time to try again. */
  lost(): Promise<void>;
  won(): void;
}

/** Moves one element; resolves with it (its value already fetched), or undefined if `source` was empty. */
export async function moveBetween(source: DequeRecords, target: DequeRecords, from: Side, to: Side, flushBytes: number, hooks: AttemptHooks): Promise<Element | undefined> {
  const moveId = batchId();
  for (;;) {
    const [sourceAnchor, targetAnchor] = await DequeRecords.readAnchors([source, target]);
    const popPlan = await prepare(source, sourceAnchor!, [{ kind: 'pop', side: from }], moveId, flushBytes);
    if (popPlan === null) continue;
    const element = popPlan.popped[0];
    if (element === undefined) return undefined; // empty, as of a read this very call made
    const pushPlan = await prepare(target, targetAnchor!, [{ kind: 'push', side: to, elements: [element] }], moveId, flushBytes);
    if (pushPlan === null) continue;
    const written = await Promise.all([source.writeFlushes(sourceAnchor!, popPlan.flushes), target.writeFlushes(targetAnchor!, pushPlan.flushes)]);
    if (!written.every(Boolean)) continue;
    hooks.attempted();
    const moved = await mcas(source.store, [
      [sourceAnchor!, popPlan.anchor],
      [targetAnchor!, pushPlan.anchor],
    ]);
    if (!moved) {
      await hooks.lost();
      continue;
    }
    hooks.won();
    source.deleteEmptiedChunks(popPlan.emptiedChunks);
    return element;
  }
}
