/**
 * How `mcc doctor` judges the way it reached a server: the protocol (and
 * whether the other one works), TLS and SASL. Pure: the facts come from
 * server-probe.ts. memcached 1.6.18 facts behind the advice (checked by
 * test/doctor-connection.test.ts): a `-B ascii` server answers a binary
 * request with `ERROR\r\n`, which a binary client never completes (a
 * timeout); a `-S` server leaves text/meta requests unanswered (a timeout)
 * and answers binary requests before SASL with "auth required"; a server
 * without `-S` answers SASL_AUTH with "unknown command" (0x81); a `-Z`
 * server closes a plain connection at its first bytes; a `-Y` server
 * answers meta requests before authentication `CLIENT_ERROR
 * unauthenticated` and never answers binary ones (it waits for a newline).
 */
import type { Protocol } from '@mcc/protocol';
import type { Finding } from './server-health';
import type { TlsDetails } from './tls-probe';

/** An error as the CLI reports it. */
export interface ErrorFact {
  readonly code: string;
  readonly message: string;
}

/**
 * Authentication as found: not required; SASL authenticated as `user`,
 * required but not configured, credentials refused, or configured for a
 * server without SASL; the authfile (memcached -Y, meta) authenticated as
 * `user`, required but not configured, or credentials refused.
 */
export type AuthState =
  | 'not-required' | 'authenticated' | 'required' | 'refused' | 'server-has-no-sasl'
  | 'authfile-authenticated' | 'authfile-required' | 'authfile-refused' | 'unknown';

export interface ConnectionFacts {
  /** The protocol the command used. */
  readonly protocol: Protocol;
  /** The other protocol, tried on a connection of its own: `works` null when not tried (`reason` says why). */
  readonly otherProtocol: { readonly protocol: Protocol; readonly works: boolean | null; readonly reason?: string; readonly error?: ErrorFact };
  readonly tls: {
    readonly enabled: boolean;
    /** The handshake under the command's TLS options (TLS only). */
    readonly details?: TlsDetails;
    readonly error?: ErrorFact;
    /** Plain TCP was closed unanswered and the port completes a TLS handshake: the server wants TLS. The certificate, unverified. */
    readonly serverSpeaksTls?: TlsDetails;
    /** The certificate as seen without verification, when verification failed (to say what it names and who issued it). */
    readonly unverified?: TlsDetails;
  };
  readonly auth: { readonly state: AuthState; readonly user?: string };
}

/** A certificate this close to its expiry is a risk: renew it. */
const EXPIRY_WARNING_DAYS = 14;

function certificateText(details: TlsDetails): string {
  const parts = [details.subject ?? 'no subject', `issued by ${details.issuer ?? '?'}`];
  if (details.altNames !== undefined) parts.push(`names ${details.altNames}`);
  if (details.validTo !== undefined) parts.push(`expires ${details.validTo.slice(0, 10)}`);
  return parts.join(', ');
}

function tlsFailureFix(facts: ConnectionFacts): string {
  const { error, unverified } = facts.tls;
  const text = `${error?.code ?? ''} ${error?.message ?? ''}`;
  const seen = unverified === undefined ? '' : ` (the server's certificate: ${certificateText(unverified)})`;
  if (/does not name this host|ALTNAME/i.test(text)) return `connect by a name the certificate carries, or pass --tls-servername NAME${seen}`;
  if (/not trusted|UNABLE_TO_VERIFY|SELF_SIGNED|CERT_UNTRUSTED|unable to get (local )?issuer/i.test(text)) return `pass --tls-ca FILE with the CA that issued the server's certificate${seen}`;
  if (/does not speak TLS|wrong version number/i.test(text)) return 'this port speaks plain TCP: drop --tls (or point --servers at the TLS port of a memcached started with -Z)';
  if (/client.?s? certificate|certificate required/i.test(text)) return 'the server requires a client certificate: pass --tls-cert FILE and --tls-key FILE';
  return `check the --tls-… options${seen}`;
}

/** The findings about protocol, TLS and SASL; `reachable` is whether the command's own connection worked. */
export function assessConnection(facts: ConnectionFacts, reachable: boolean): Finding[] {
  const { protocol, otherProtocol: other, tls, auth } = facts;
  const findings: Finding[] = [];
  const user = auth.user ?? 'NAME';
  if (auth.state === 'required') {
    const binary = protocol === 'meta' ? ' --protocol binary' : '';
    findings.push({
      level: 'error',
      message: `the server requires SASL authentication (memcached -S)${protocol === 'meta' ? ", which memcached offers on the binary protocol only: it leaves meta requests unanswered" : ''}`,
      fix: `pass${binary} --sasl-user ${user} with the password in the environment variable MCC_SASL_PASSWORD`,
    });
  } else if (auth.state === 'refused') {
    findings.push({
      level: 'error',
      message: `the server refused the SASL credentials of user ${JSON.stringify(user)}`,
      fix: `check --sasl-user and MCC_SASL_PASSWORD: the user must be in the server's sasldb (saslpasswd2 -a memcached -c ${user}) with that password`,
    });
  } else if (auth.state === 'authfile-required') {
    findings.push({
      level: 'error',
      message: `the server requires authentication against its authfile (memcached -Y)${protocol === 'binary' ? ', which exists on the meta protocol only: it never answers binary requests' : ''}`,
      fix: `pass${protocol === 'binary' ? ' --protocol meta' : ''} --auth-user ${user} with the password in the environment variable MCC_AUTH_PASSWORD`,
    });
  } else if (auth.state === 'authfile-refused') {
    findings.push({
      level: 'error',
      message: `the server refused the authfile credentials of user ${JSON.stringify(user)}`,
      fix: `check --auth-user and MCC_AUTH_PASSWORD: the server's authfile (memcached -Y FILE) must hold the line ${user}:PASSWORD`,
    });
  } else if (auth.state === 'server-has-no-sasl') {
    findings.push({ level: 'error', message: 'the server does not offer SASL (memcached started without -S), yet --sasl-user was given', fix: 'drop --sasl-user (or start memcached with -S)' });
  }
  if (!tls.enabled && tls.serverSpeaksTls !== undefined) {
    const trusted = tls.serverSpeaksTls.authorized ? '' : ` and --tls-ca FILE (its certificate is not trusted by the system's CAs: ${tls.serverSpeaksTls.authorizationError ?? 'unverified'})`;
    findings.push({
      level: 'error',
      message: `the server requires TLS (memcached -Z): it closed the plain connection unanswered, and completes a TLS handshake (${tls.serverSpeaksTls.version}; certificate ${certificateText(tls.serverSpeaksTls)})`,
      fix: `pass --tls${trusted}`,
    });
  }
  if (tls.enabled && tls.error !== undefined && !reachable) {
    findings.push({ level: 'error', message: /TLS handshake failed/.test(tls.error.message) ? tls.error.message : `TLS handshake failed: ${tls.error.message}`, fix: tlsFailureFix(facts) });
  }
  if (!reachable && auth.state !== 'required' && auth.state !== 'authfile-required' && other.works === true) {
    findings.push({
      level: 'error',
      message: `the server does not answer the ${protocol} protocol${protocol === 'binary' ? ' (refused, e.g. by a proxy, mcrouter, memcached -B ascii or ElastiCache Serverless)' : ''}, but it answers ${other.protocol}`,
      fix: `pass --protocol ${other.protocol} (or set MCC_PROTOCOL=${other.protocol})`,
    });
  }
  if (reachable && tls.details !== undefined) {
    if (!tls.details.authorized) {
      findings.push({
        level: 'risk',
        message: `the server's certificate is not verified (--tls-insecure; ${tls.details.authorizationError ?? 'unverified'}): anyone in between could read and change the data`,
        fix: 'pass --tls-ca FILE with the CA that issued it instead of --tls-insecure',
      });
    }
    const days = tls.details.daysLeft;
    if (days !== undefined && days < 0) {
      findings.push({ level: 'risk', message: `the server's certificate expired on ${tls.details.validTo ?? '?'}`, fix: 'renew it (memcached reloads it on the refresh_certs command)' });
    } else if (days !== undefined && days < EXPIRY_WARNING_DAYS) {
      // Worth knowing, not a risk to the data: clients refuse an expired certificate loudly.
      findings.push({
        level: 'note',
        message: `the server's certificate expires in ${days} day${days === 1 ? '' : 's'} (${tls.details.validTo ?? '?'}): then every TLS connection fails`,
        fix: 'renew it (memcached reloads it on the refresh_certs command)',
      });
    }
  }
  if (reachable && other.works === false) {
    findings.push({ level: 'note', message: `the ${other.protocol} protocol does not work here (${other.error?.code ?? 'error'}): keep --protocol ${protocol}` });
  }
  return findings;
}
