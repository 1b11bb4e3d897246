/**
 * Planning against one anchor until the plan is ready: plan, fetch what it
 * needs (chunks, large values), plan again. The first two steps of the
 * anchor loop, shared by the engine's batches and by moves between deques.
 */
import { elementSize, type Element } from './element';
import { planBatch, type Operation, type Plan } from './plan';
import type { AnchorEntry, DequeRecords } from './records';

export type ReadyPlan = Extract<Plan, { kind: 'ready' }>;

/** Encoded size of a list of elements (a buffer, a chunk). */
export function buffersSize(elements: readonly Element[]): number {
  let total = 5;
  for (const element of elements) total += elementSize(element);
  return total;
}

/** The ready plan for `operations` on `anchor`, or null if the anchor turned out stale while fetching. */
export async function prepare(records: DequeRecords, anchor: AnchorEntry, operations: readonly Operation[], batchId: string, flushBytes: number): Promise<ReadyPlan | null> {
  for (;;) {
    const plan = planBatch(anchor.value, operations, records.cacheFor(anchor), { batchId, flushBytes, sizeOf: buffersSize });
    if (plan.kind === 'ready') return plan;
    if (!(await records.fetch(anchor, plan.chunks, plan.values))) return null;
  }
}
