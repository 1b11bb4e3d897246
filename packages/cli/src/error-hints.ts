/**
 * One-line fixes for the `MCC_ERR_*` codes of every package, printed under
 * an error's message. Keyed by code, so they work across duplicated
 * installs (no `instanceof`).
 */

/** What a hint may use from the error: the server and key it names, and a few specific fields. */
export interface ErrorFacts {
  readonly code: string;
  readonly server?: string | undefined;
  readonly key?: string | undefined;
  readonly deque?: string | undefined;
  readonly queue?: string | undefined;
  readonly value?: unknown;
  readonly descriptorKey?: string | undefined;
}

function portOf(server: string | undefined): string {
  const port = server?.split(':').pop();
  return port !== undefined && /^\d+$/.test(port) ? port : '11211';
}

const HINTS: Readonly<Record<string, (facts: ErrorFacts) => string>> = {
  MCC_ERR_CONNECTION: ({ server }) =>
    `is memcached running at ${server ?? 'the address given'}? start it (memcached -M -m 1024 -p ${portOf(server)}) or pass --servers host:port (or set MCC_SERVERS)`,
  MCC_ERR_CONNECTION_CLOSED: ({ server }) =>
    `the connection to ${server ?? 'the server'} dropped mid-request, so the outcome is unknown: re-read (mcc get / mcc inspect) before retrying`,
  MCC_ERR_TIMEOUT: ({ server }) => `${server ?? 'the server'} did not answer in time: is it up and not overloaded? (mcc doctor --servers ${server ?? 'host:port'})`,
  MCC_ERR_PROTOCOL: ({ server }) =>
    `${server ?? 'the server'} did not answer in the protocol spoken: check that --servers points at memcached itself; a proxy or a service that refuses binary needs --protocol meta (mcc doctor tells)`,
  MCC_ERR_AUTH: ({ server }) =>
    `${server ?? 'the server'} requires authentication or refused the credentials: SASL (memcached -S) takes --protocol binary --sasl-user NAME with the password in MCC_SASL_PASSWORD, an authfile (memcached -Y) --protocol meta --auth-user NAME with MCC_AUTH_PASSWORD (mcc doctor --servers ${server ?? 'host:port'} explains)`,
  MCC_ERR_SERVER: () => 'memcached refused the request; under -M that usually means it is out of memory: give it more with -m <megabytes>',
  MCC_ERR_VALUE_TOO_LARGE: () => 'the value is larger than the server accepts: start memcached with a larger item size (e.g. -I 2m) or store less',
  MCC_ERR_INVALID_KEY: () => 'keys are 1-250 bytes with no spaces or control characters',
  MCC_ERR_INVALID_ARGUMENT: () => 'check the arguments (mcc <command> --help)',
  MCC_ERR_CAS_UNSUPPORTED: ({ server }) => `restart memcached${server === undefined ? '' : ` at ${server}`} without -C: mcc needs CAS`,
  MCC_ERR_STALE_CAS: () => 'the server restarted since the value was read: read it again and retry',
  MCC_ERR_CLIENT_CLOSED: () => 'the client was closed while the command ran: run the command again',
  MCC_ERR_QUEUE_FULL: () => 'too many requests are queued for one server: lower the concurrency',
  MCC_ERR_ENCODE: () => 'the value cannot be stored: pass plain JSON',
  MCC_ERR_DECODE: ({ key }) => `the bytes under ${key ?? 'the key'} are not valid MessagePack: written by something else, or damaged`,
  MCC_ERR_CODEC_MISMATCH: ({ key }) => `${key ?? 'the item'} was not written by mcc (msgpack codec): read it with the client that wrote it`,
  MCC_ERR_MCAS_CORRUPTION: () =>
    'an MCAS descriptor was lost (evicted, or a server restarted): run memcached with -M and enough -m; the value before the MCAS is in the reference record (mcc get <key>)',
  MCC_ERR_MCAS_OUTCOME_UNKNOWN: ({ descriptorKey }) =>
    `the MCAS is atomic either way: once the servers answer, read the keys again (mcc mcas-get <key>)${descriptorKey === undefined ? '' : `; descriptor ${descriptorKey}`}`,
  MCC_ERR_MCAS_CONTENTION: () => 'the key is very busy with other MCAS operations: try again',
  MCC_ERR_DEQUE_EXISTS: ({ deque }) => `the name is taken: use it (mcc push ${deque ?? '<deque>'} …) or pick another name`,
  MCC_ERR_DEQUE_NOT_FOUND: ({ deque }) =>
    `create it with: mcc create ${deque ?? '<deque>'} (and pass --colocate everywhere if it was created with --colocate)`,
  MCC_ERR_DEQUE_PLACEMENT: () =>
    'the server list differs from the one the deque was created with (a server added, removed or renamed, or a weight changed): use the same --servers list as its other clients; mcc never moves records between servers',
  MCC_ERR_DEQUE_PLACEMENT_UNKNOWN: () =>
    'a server could not be read to rule out that the deque lives there (after a change of the server list): bring every server up (mcc doctor checks them) and try again',
  MCC_ERR_DEQUE_CORRUPTED: ({ deque }) =>
    `a record was lost: run memcached with -M (and enough -m) so it never evicts, and don't restart servers holding deques; mcc fsck ${deque ?? '<deque>'} lists the damage`,
  MCC_ERR_DEQUE_OUTCOME_UNKNOWN: ({ value }) => `a reply was lost; the value involved was ${safeJson(value)}: check the deque (mcc inspect) before retrying`,
  MCC_ERR_QUEUE_EXISTS: ({ queue }) => `the name is taken: use it (mcc queue stats ${queue ?? '<queue>'}) or pick another name`,
  MCC_ERR_QUEUE_NOT_FOUND: ({ queue }) => `create it with: mcc queue create ${queue ?? '<queue>'}`,
  MCC_ERR_LEASE_EXPIRED: () =>
    'the lease ran out and another consumer took the job over (it may run twice): extend long jobs (job.extend) or create the queue with a longer --lease-ms',
  MCC_ERR_QUEUE_CORRUPTED: () =>
    'a record of the queue is damaged, or one of its deques was lost (a restarted or evicting server: run memcached with -M and enough -m): nothing was changed or re-created; inspect its deques (mcc inspect <queue>/ready, …/taken, …/delayed, …/dead)',
  MCC_ERR_CLI_INVALID_JSON: () => `values are JSON: 42, '{"a":1}', '[1,2]', and strings need quotes: '"text"'`,
  MCC_ERR_CLI_TOOL_NOT_BUILT: () => 'build the workspace first: pnpm build (or pnpm --filter <package> build)',
};

function safeJson(value: unknown): string {
  try {
    const text = JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
    return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return String(value);
  }
}

/** The fix for an error code, or undefined for a code without one. */
export function hintFor(facts: ErrorFacts): string | undefined {
  return HINTS[facts.code]?.(facts);
}
