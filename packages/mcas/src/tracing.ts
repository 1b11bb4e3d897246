/**
 * `mcc:mcas:mcas` — a `node:diagnostics_channel` TracingChannel
 * (`tracing:mcc:mcas:mcas:start`, `…:end`, `…:asyncStart`, `…:asyncEnd`,
 * `…:error`) around every `mcas` call, with an {@link McasMessage}. The
 * protocol commands it sends are traced on `mcc:protocol:command` inside
 * it (same async context), so spans nest.
 *
 * While nobody subscribes, `mcas` runs untouched: no message, no wrapper.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import type { Store } from '@mcc/codec';
import { McasOutcomeUnknownError } from './errors';
import type { McasUpdate } from './plan';

/** The context of one `mcc:mcas:mcas` trace. */
export interface McasMessage {
  /** The keys of the entries, as given (before validation). */
  readonly keys: readonly string[];
  /** How many entries (locations) the MCAS covers. */
  readonly locations: number;
  /**
   * Round trips: the times the operation went from no store request in
   * flight to one (requests sent in parallel share one; quiet deletes count
   * none), its own and those of the helping it did. Uncontended: 1 for one
   * entry, M+3 for M ≥ 2; more means retries, re-reads or helping.
   */
  roundTrips: number;
  /** Store requests it waited for (one per get, cas, add…; a pipelined `getMulti` one): 2M+2 uncontended for M ≥ 2. */
  requests: number;
  /** Of those, conditional writes (cas, add): a retried acquisition or a helped MCAS shows here. */
  writes: number;
  /**
   * Other clients' MCAS this one helped to completion (or found gone) on its
   * way: after failing on one (mcas.ts), a reader that waited for it and
   * still found it in flight. 0 uncontended; each is also published on
   * `mcc:mcas:help`.
   */
  helps: number;
  /** `true` / `false` as returned; `'unknown'` for McasOutcomeUnknownError; `null` for any other error. */
  outcome: boolean | 'unknown' | null;
  /** Set by the channel: the result, or the error the caller gets. */
  result?: unknown;
  error?: unknown;
}

export const mcasChannel = tracingChannel<unknown, McasMessage>('mcc:mcas:mcas');

const REQUESTS = new Set(['get', 'getMulti', 'set', 'add', 'replace', 'cas', 'delete']);
const WRITES = new Set(['add', 'cas']);

/** Runs one `mcas` as a trace; callers check `mcasChannel.hasSubscribers` first. */
export function traceMcas(store: Store, updates: readonly McasUpdate[], run: (store: Store) => Promise<boolean>): Promise<boolean> {
  const list = Array.isArray(updates) ? (updates as unknown[]) : [];
  const keys = list.map((update) => String((update as [{ key?: unknown }] | null)?.[0]?.key));
  const message: McasMessage = { keys, locations: keys.length, roundTrips: 0, requests: 0, writes: 0, helps: 0, outcome: null };
  return mcasChannel.tracePromise(async () => {
    try {
      const result = await run(countingStore(store, message));
      message.outcome = result;
      return result;
    } catch (error) {
      message.outcome = error instanceof McasOutcomeUnknownError ? 'unknown' : null;
      throw error;
    }
  }, message);
}

/** How help.ts finds the trace of the MCAS it helps for: a property only the counting store has. */
const TRACE = Symbol('mcc.mcas.trace');

/** Counts one help into the trace `store` belongs to, if it is a traced MCAS's counting store. */
export function countHelp(store: Store): void {
  const message = (store as unknown as { [TRACE]?: McasMessage })[TRACE];
  if (message !== undefined) message.helps++;
}

/** The store, counting the requests made through it into `message` (only ever built for a trace). */
function countingStore(store: Store, message: McasMessage): Store {
  if (typeof store !== 'object' || store === null) return store; // mcas refuses it with its own error
  let inFlight = 0;
  const settled = (): void => void inFlight--;
  return new Proxy(store, {
    get(target, property) {
      if (property === TRACE) return message;
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      const name = String(property);
      const method = value as (...args: unknown[]) => unknown;
      if (!REQUESTS.has(name)) return method.bind(target);
      return (...args: unknown[]) => {
        if (inFlight === 0) message.roundTrips++;
        message.requests++;
        if (WRITES.has(name)) message.writes++;
        inFlight++;
        const reply = method.apply(target, args) as Promise<unknown>;
        reply.then(settled, settled);
        return reply;
      };
    },
  });
}
