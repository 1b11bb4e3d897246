/**
 * What `mcc doctor` asks each server, on connections of its own (so one dead
 * server does not hide the others): its settings and stats over the
 * command's protocol, TLS and SASL; the other protocol on a second
 * connection; and a TLS handshake of its own for the session's details.
 * All three run at once, so a server that never answers one protocol costs
 * one connect timeout, not three. Judging the answers is pure (server-health.ts,
 * connection-health.ts).
 */
import { connect } from '@mcc/mcas';
import type { Protocol } from '@mcc/protocol';
import type { AuthState, ConnectionFacts, ErrorFact } from './connection-health';
import { clientOptionsOf, type ConnectionSettings } from './connection-options';
import { describeError } from './format';
import type { ServerFacts } from './server-health';
import { probeTls, type TlsProbe } from './tls-probe';

const CONNECT_TIMEOUT_MS = 2000;
const REQUEST_TIMEOUT_MS = 3000;
/** memcached's "unknown command": the answer to SASL_AUTH of a server started without -S. */
const UNKNOWN_COMMAND = 0x81;

type Attempt<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorFact; readonly cause: unknown };

function statNumber(stats: ReadonlyMap<string, string> | undefined, name: string): number | undefined {
  const text = stats?.get(name);
  if (text === undefined) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** True when `error` or one of its causes is memcached's "unknown command" (SASL_AUTH on a server without -S). */
function saslUnknown(error: unknown): boolean {
  for (let cause = error, depth = 0; typeof cause === 'object' && cause !== null && depth < 8; cause = (cause as { cause?: unknown }).cause, depth++) {
    if ((cause as { code?: unknown }).code === 'MCC_ERR_SERVER' && (cause as { status?: unknown }).status === UNKNOWN_COMMAND) return true;
  }
  return false;
}

async function attempt<T>(work: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    const { code, message } = describeError(error);
    return { ok: false, error: { code, message }, cause: error };
  }
}

/** Reads a server's settings and stats over `settings`. */
async function readServer(server: string, settings: ConnectionSettings): Promise<Omit<ServerFacts, 'connection'>> {
  const store = connect([server], { connectTimeoutMs: CONNECT_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS, ...clientOptionsOf(settings) });
  try {
    const info = await store.client.serverInfo(server);
    const stats = (await store.client.stats()).get(server);
    const extra: Record<string, number> = {};
    for (const [field, stat] of [['bytesUsed', 'bytes'], ['items', 'curr_items'], ['evictions', 'evictions']] as const) {
      const value = statNumber(stats, stat);
      if (value !== undefined) extra[field] = value;
    }
    return {
      server,
      reachable: true,
      version: info.version,
      pid: info.pid,
      casEnabled: info.casEnabled,
      evictionsEnabled: info.evictions,
      itemSizeMax: info.itemSizeMax,
      memoryLimit: info.memoryLimit,
      ...extra,
    };
  } finally {
    await store.close().catch(() => undefined);
  }
}

/** The other protocol: tried without credentials (SASL is binary's, the authfile meta's), so it is not tried when either is configured. */
async function tryOther(server: string, settings: ConnectionSettings, other: Protocol): Promise<Attempt<unknown> | null> {
  if (settings.sasl !== undefined || settings.auth !== undefined) return null;
  return attempt(() => readServer(server, { ...settings, protocol: other, protocolSource: 'flag' }));
}

/** An AuthenticationError about memcached's authfile (-Y), not SASL. */
const AUTHFILE = /memcached -Y/;

function authOf(settings: ConnectionSettings, main: Attempt<unknown>, other: Attempt<unknown> | null): ConnectionFacts['auth'] {
  if (settings.auth !== undefined) {
    const user = settings.auth.username;
    if (main.ok) return { state: 'authfile-authenticated', user };
    if (main.error.code === 'MCC_ERR_AUTH') return { state: AUTHFILE.test(main.error.message) && /refused/.test(main.error.message) ? 'authfile-refused' : 'required', user };
    return { state: 'unknown', user };
  }
  const user = settings.sasl?.username;
  const withUser = (state: AuthState): ConnectionFacts['auth'] => (user === undefined ? { state } : { state, user });
  // A -Y server answers meta requests "unauthenticated", and never answers binary ones (meta, tried beside it, says why).
  if (!main.ok && main.error.code === 'MCC_ERR_AUTH' && AUTHFILE.test(main.error.message)) return withUser('authfile-required');
  if (!main.ok && other !== null && !other.ok && other.error.code === 'MCC_ERR_AUTH' && AUTHFILE.test(other.error.message)) return withUser('authfile-required');
  if (main.ok) return withUser(user === undefined ? 'not-required' : 'authenticated');
  if (main.error.code === 'MCC_ERR_AUTH') return withUser(user === undefined ? 'required' : 'refused');
  if (user !== undefined && saslUnknown(main.cause)) return withUser('server-has-no-sasl');
  // Meta on a -S server times out; binary, tried beside it, says SASL is required.
  if (other !== null && !other.ok && other.error.code === 'MCC_ERR_AUTH') return withUser('required');
  return withUser('unknown');
}

/** Connects to one server in every way doctor reports on, and gathers what it learned. */
export async function gatherServerFacts(server: string, settings: ConnectionSettings): Promise<ServerFacts> {
  const otherProtocol: Protocol = settings.protocol === 'binary' ? 'meta' : 'binary';
  const [main, other, handshake] = await Promise.all([
    attempt(() => readServer(server, settings)),
    tryOther(server, settings, otherProtocol),
    settings.tls === false ? Promise.resolve(null) : probeTls(server, settings.tls, CONNECT_TIMEOUT_MS),
  ]);
  const tls: { -readonly [K in keyof ConnectionFacts['tls']]: ConnectionFacts['tls'][K] } = { enabled: settings.tls !== false };
  if (handshake !== null && handshake.ok) tls.details = handshake.details;
  // The client's own connection is the authority: under TLS 1.3 a server refusing a missing client certificate does so after the probe's handshake completed.
  const mainTlsFailure = !main.ok && /TLS handshake failed/.test(main.error.message);
  if (mainTlsFailure) tls.error = main.error;
  else if (handshake !== null && !handshake.ok) tls.error = { code: handshake.code, message: handshake.message };
  if (handshake !== null && settings.tls !== false && (mainTlsFailure || !handshake.ok)) {
    // What the certificate says, unverified, to name what to trust or which name to use.
    const unverified: TlsProbe = await probeTls(server, { ...settings.tls, rejectUnauthorized: false }, CONNECT_TIMEOUT_MS);
    if (unverified.ok) tls.unverified = unverified.details;
  }
  if (settings.tls === false && !main.ok && /requires TLS/.test(main.error.message)) {
    const probe = await probeTls(server, { rejectUnauthorized: false }, CONNECT_TIMEOUT_MS);
    if (probe.ok) tls.serverSpeaksTls = probe.details;
  }
  const connection: ConnectionFacts = {
    protocol: settings.protocol,
    otherProtocol:
      other === null ? { protocol: otherProtocol, works: null, reason: settings.sasl !== undefined ? 'not tried: SASL exists on the binary protocol only' : 'not tried: the authfile (-Y) exists on the meta protocol only' }
      : other.ok ? { protocol: otherProtocol, works: true }
      : { protocol: otherProtocol, works: false, error: other.error },
    tls,
    auth: authOf(settings, main, other),
  };
  if (main.ok) return { ...main.value, connection };
  return { server, reachable: false, error: main.error, connection };
}
