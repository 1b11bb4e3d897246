/**
 * A move between two deques: pop from one, push onto the other, as ONE
 * MCAS over both anchors (so it composes with every single-anchor CAS: those
 * read anchors through mcasGet and help a move in flight). It is a
 * `Deque.transact` (transact.ts, the one owner of the read → plan → fetch →
 * write chunks → MCAS loop and of lost-reply resolution): take one element
 * from `from`, push it as it is (`keep`) onto `to`. The engine runs it
 * (engine.ts) and owns the back-off between attempts (the hooks).
 */
import type { Element } from './element';
import { DequeOutcomeUnknownError } from './errors';
import type { Side } from './plan';
import { DequeRecords } from './records';
import { transactElements, type TransactHooks } from './transact';

export type AttemptHooks = Required<TransactHooks>;

/**
 * Moves one element; resolves with it (a large value left in `source`'s
 * value cache for the caller to take), or undefined if `source` was empty.
 * @throws DequeOutcomeUnknownError (carrying the value) if a lost reply left the outcome open
 */
export async function moveBetween(source: DequeRecords, target: DequeRecords, from: Side, to: Side, flushBytes: number, hooks: AttemptHooks): Promise<Element | undefined> {
  // The engines drop their cached anchors after a move (engine.ts): nothing to start from or keep here.
  const engine = { limits: { flushBytes, maxAnchorBytes: Infinity, maxBatch: 1, combine: false }, invalidate: () => undefined, knownAnchor: () => null, noteRace: () => undefined };
  const { outcome, elements } = await transactElements(
    [
      { records: source, engine, elements: async () => [], take: { side: from, count: 1 } },
      { records: target, engine, elements: async () => [], take: undefined },
    ],
    (taken) => (taken[0]!.length === 0 ? undefined : { pushes: [{ step: 1, side: to, values: [{ keep: [0, 0] }] }], result: null }),
    { hooks, handOver: true },
  );
  if (outcome.status === 'aborted') return undefined; // empty, as of a read this very call made
  if (outcome.status === 'unknown') throw new DequeOutcomeUnknownError(source.name, 'move', outcome.taken[0]![0], outcome.cause);
  return elements[0]![0];
}
