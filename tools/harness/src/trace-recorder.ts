/**
 * Records a `node:diagnostics_channel` tracing channel in tests: which
 * phases each traced operation (its context object) went through, in order.
 * One copy for every package's tracing tests.
 */
import { tracingChannel } from 'node:diagnostics_channel';

export const TRACE_PHASES = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'] as const;
export type TracePhase = (typeof TRACE_PHASES)[number];

/** The traces (context → phases, in order) published on tracing channel `name` while `body` runs. */
export async function recordTraces<M extends object>(name: string, body: () => Promise<void>): Promise<Map<M, TracePhase[]>> {
  const byContext = new Map<M, TracePhase[]>();
  const handlers = Object.fromEntries(TRACE_PHASES.map((phase) => [phase, (message: unknown) => {
    const context = message as M;
    byContext.set(context, [...(byContext.get(context) ?? []), phase]);
  }]));
  const traced = tracingChannel(name);
  traced.subscribe(handlers as never);
  try {
    await body();
  } finally {
    traced.unsubscribe(handlers as never);
  }
  return byContext;
}
