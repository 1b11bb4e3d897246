/**
 * Counters of one client, across all its servers. The layers above report
 * round trips per operation from these (take a snapshot, run, subtract).
 */
export interface ClientMetrics {
  /** Requests encoded for sending, including internal ones (handshake, NOOP fences). */
  requests: number;
  /** Socket flushes: each is one `cork`/`uncork` batch of requests written to one server. */
  writes: number;
  /** Reply frames received. */
  responses: number;
  /** Requests that failed with an error (not counting ordinary misses and CAS mismatches). */
  errors: number;
}

export function createMetrics(): ClientMetrics {
  return { requests: 0, writes: 0, responses: 0, errors: 0 };
}

/** The difference `after - before`, e.g. around one operation. */
export function metricsDelta(before: Readonly<ClientMetrics>, after: Readonly<ClientMetrics>): ClientMetrics {
  return {
    requests: after.requests - before.requests,
    writes: after.writes - before.writes,
    responses: after.responses - before.responses,
    errors: after.errors - before.errors,
  };
}
