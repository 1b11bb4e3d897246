/**
 * SASL PLAIN authentication (binary SASL_AUTH, opcode 0x21; memcached `-S`).
 * The key names the mechanism, the value is `\0username\0password`. memcached
 * answers 0x0000 when authenticated and 0x0020 when the credentials are
 * refused. memcached's SASL exists on the binary protocol only.
 */
import type { Command, DecodeState } from '../connection/command';
import type { ServerInfo } from '../connection/server-info';
import { AuthenticationError, InvalidArgumentError } from '../errors';
import { Opcode, Status } from '../wire/constants';
import type { ResponseFrame } from '../wire/response-frame';
import { statusError } from './status-error';

export class SaslPlainCommand implements Command<void> {
  readonly name = 'sasl auth';
  readonly opcode = Opcode.SaslAuth;
  readonly key = 'PLAIN';
  readonly keyLength = 5;
  readonly value: Buffer;
  readonly flags = 0;
  readonly cas = 0n;
  readonly casEpoch = undefined;
  readonly extras = null;
  readonly quiet = false;

  constructor(readonly username: string, password: string) {
    this.value = Buffer.from(`\0${username}\0${password}`, 'utf8');
  }

  decodeBinary(frame: ResponseFrame, _state: DecodeState, server: ServerInfo): void {
    if (frame.status === Status.NoError) return;
    if (frame.status === Status.AuthError) {
      throw new AuthenticationError(`${server.server} refused the SASL PLAIN credentials of user ${JSON.stringify(this.username)}`, { server: server.server });
    }
    throw statusError(frame, this, server);
  }

  encodeMeta(): void {
    throw new InvalidArgumentError('SASL exists on the binary protocol only');
  }

  decodeMeta(): void {
    throw new InvalidArgumentError('SASL exists on the binary protocol only');
  }
}
