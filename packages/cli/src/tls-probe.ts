/**
 * One TLS handshake with a server, for `mcc doctor`: the negotiated TLS
 * version and cipher and the server's certificate (subject, issuer, names,
 * expiry). `@mcc/protocol` does not expose its sockets, so this is a
 * connection of its own with the same `tls.connect` options — the same
 * server, options and defaults negotiate the same session. It sends no
 * memcached request: it closes right after the handshake.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { parseServerAddress } from '@mcc/protocol';

/** What the handshake showed. */
export interface TlsDetails {
  /** e.g. `TLSv1.3`. */
  readonly version: string;
  readonly cipher: string;
  /** Whether the certificate was verified against the trusted CAs (false only under `rejectUnauthorized: false`). */
  readonly authorized: boolean;
  /** Why it was not verified, e.g. `UNABLE_TO_VERIFY_LEAF_SIGNATURE`. */
  readonly authorizationError?: string;
  /** The certificate's subject and issuer common names (or the whole subject when it has none). */
  readonly subject?: string;
  readonly issuer?: string;
  /** `subjectAltName`, e.g. `IP Address:127.0.0.1, DNS:localhost`. */
  readonly altNames?: string;
  /** Expiry, ISO 8601, and whole days from now (negative once expired). */
  readonly validTo?: string;
  readonly daysLeft?: number;
}

export type TlsProbe = { readonly ok: true; readonly details: TlsDetails } | { readonly ok: false; readonly code: string; readonly message: string };

const DAY_MS = 24 * 60 * 60 * 1000;

function nameOf(fields: Record<string, string | string[] | undefined> | undefined): string | undefined {
  if (fields === undefined) return undefined;
  const cn = fields.CN;
  if (cn !== undefined) return `CN=${Array.isArray(cn) ? cn.join('+') : cn}`;
  const all = Object.entries(fields).map(([name, value]) => `${name}=${Array.isArray(value) ? value.join('+') : value ?? ''}`);
  return all.length === 0 ? undefined : all.join(', ');
}

function detailsOf(socket: tls.TLSSocket, now: number): TlsDetails {
  const certificate = socket.getPeerCertificate();
  const hasCertificate = certificate !== null && Object.keys(certificate).length > 0;
  const expiry = hasCertificate ? Date.parse(certificate.valid_to) : Number.NaN;
  const error = socket.authorizationError as Error | string | null | undefined;
  const subject = hasCertificate ? nameOf(certificate.subject as unknown as Record<string, string>) : undefined;
  const issuer = hasCertificate ? nameOf(certificate.issuer as unknown as Record<string, string>) : undefined;
  return {
    version: socket.getProtocol() ?? 'unknown',
    cipher: socket.getCipher().name,
    authorized: socket.authorized,
    ...(error === null || error === undefined ? {} : { authorizationError: typeof error === 'string' ? error : ((error as { code?: string }).code ?? error.message) }),
    ...(subject === undefined ? {} : { subject }),
    ...(issuer === undefined ? {} : { issuer }),
    ...(hasCertificate && certificate.subjectaltname !== undefined ? { altNames: certificate.subjectaltname } : {}),
    ...(Number.isFinite(expiry) ? { validTo: new Date(expiry).toISOString(), daysLeft: Math.floor((expiry - now) / DAY_MS) } : {}),
  };
}

/** Shakes hands with `server` (`host:port`) under `options`; never throws, and settles within `timeoutMs`. */
export function probeTls(server: string, options: tls.ConnectionOptions, timeoutMs: number): Promise<TlsProbe> {
  const { host, port } = parseServerAddress(server);
  // As @mcc/protocol does: SNI and the name check use the host as given, unless options.servername says otherwise.
  const servername = options.servername ?? (net.isIP(host) === 0 ? host : undefined);
  return new Promise((resolve) => {
    let settled = false;
    const socket = tls.connect({ ...options, host, port, ...(servername === undefined ? {} : { servername }) });
    const finish = (probe: TlsProbe): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(probe);
    };
    const timer = setTimeout(() => finish({ ok: false, code: 'ETIMEDOUT', message: `no TLS handshake within ${timeoutMs} ms` }), timeoutMs);
    socket.once('secureConnect', () => finish({ ok: true, details: detailsOf(socket, Date.now()) }));
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ ok: false, code: error.code ?? 'ERROR', message: error.message.trim() }));
    socket.once('close', () => finish({ ok: false, code: 'ECONNRESET', message: 'the server closed the connection during the TLS handshake' }));
  });
}
