/**
 * Text-protocol authentication (memcached `-Y <authfile>`, a file of
 * `user:password` lines; meta connections only — a `-Y` server answers
 * binary requests in text). Checked against memcached 1.6.18:
 *
 * - Until a connection authenticates, every command is answered
 *   `CLIENT_ERROR unauthenticated` — except a `set <any key> <flags> <ttl>
 *   <n>` whose data block is `<user> <password>`: `STORED` authenticates
 *   it (the key is ignored and nothing is stored), `CLIENT_ERROR
 *   authentication failure` refuses it and the connection stays
 *   unauthenticated. The password is one token: it cannot hold a space.
 * - Once authenticated, `set` is an ordinary set again, and on a server
 *   without `-Y` it always is: sent blindly, the credentials would be
 *   stored as an item anyone could read. So a connection first sends `mn`
 *   alone ({@link AuthProbeCommand}): `MN` means no authentication is
 *   required (the credentials are not sent), `CLIENT_ERROR
 *   unauthenticated` that it is; only then the `set` ({@link AuthCommand}).
 * - Both go alone, each reply awaited before anything else is written:
 *   when an unauthenticated connection's requests are pipelined, memcached
 *   1.6.18 drops error replies (`mn\r\nmn\r\n` gets one reply; a refused
 *   `set` followed by `stats` only `CLIENT_ERROR unauthenticated`), so a
 *   pipelined handshake could wait forever.
 */
import type { ServerInfo } from '../connection/server-info';
import { AuthenticationError, InvalidArgumentError } from '../errors';
import type { MetaReply } from '../wire/meta-reply';
import type { MetaWriter } from '../wire/meta-writer';
import { KeylessRequest } from './keyless';
import { metaError } from './status-error';

export interface AuthCredentials {
  readonly username: string;
  readonly password: string;
}

/** The ignored key of the authenticating `set`. */
const AUTH_KEY = 'mcc:auth';

abstract class MetaOnlyCommand<T> extends KeylessRequest<T> {
  readonly opcode = 0;

  decodeBinary(): T {
    throw new InvalidArgumentError('authfile authentication (memcached -Y) exists on the text and meta protocol only');
  }
}

/** `mn` sent alone: true when the server requires authentication (`CLIENT_ERROR unauthenticated`), false when it answers `MN`. */
export class AuthProbeCommand extends MetaOnlyCommand<boolean> {
  readonly name = 'mn (authentication probe)';

  encodeMeta(out: MetaWriter): void {
    out.text('mn').end();
  }

  decodeMeta(reply: MetaReply, _state: unknown, server: ServerInfo): boolean {
    if (reply.code === 'MN') return false;
    if (reply.code === 'CLIENT_ERROR' && reply.message === 'unauthenticated') return true;
    throw metaError(reply, this, server);
  }
}

/** The authenticating `set`: resolves when `STORED`; refused credentials are an AuthenticationError. */
export class AuthCommand extends MetaOnlyCommand<void> {
  readonly name = 'authenticate';
  readonly #data: Buffer;

  constructor(readonly credentials: AuthCredentials) {
    super();
    this.#data = Buffer.from(`${credentials.username} ${credentials.password}`, 'utf8');
  }

  encodeMeta(out: MetaWriter): void {
    out.text(`set ${AUTH_KEY} 0 0 `).decimal(this.#data.length).end(this.#data);
  }

  decodeMeta(reply: MetaReply, _state: unknown, server: ServerInfo): void {
    if (reply.code === 'STORED') return;
    if (reply.code === 'CLIENT_ERROR' && reply.message === 'authentication failure') {
      throw new AuthenticationError(`${server.server} refused the authfile credentials of user ${JSON.stringify(this.credentials.username)} (memcached -Y)`, { server: server.server });
    }
    throw metaError(reply, this, server);
  }
}
