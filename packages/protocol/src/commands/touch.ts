/** touch (binary TOUCH, meta `mg <key> T<ttl>`): true when the item exists and got the new expiration. */
import type { Command, DecodeState } from '../connection/command';
import type { ServerInfo } from '../connection/server-info';
import { Opcode, Status } from '../wire/constants';
import type { RequestExtras } from '../wire/frame-writer';
import type { MetaReply } from '../wire/meta-reply';
import type { MetaWriter } from '../wire/meta-writer';
import type { ResponseFrame } from '../wire/response-frame';
import { metaError, statusError } from './status-error';

export class TouchCommand implements Command<boolean> {
  readonly name = 'touch';
  readonly opcode = Opcode.Touch;
  readonly extras: RequestExtras;
  readonly value = null;
  readonly flags = 0;
  readonly cas = 0n;
  readonly casEpoch = undefined;
  readonly quiet = false;

  constructor(readonly key: string, readonly keyLength: number, readonly ttl: number) {
    this.extras = { kind: 'ttl', ttl };
  }

  decodeBinary(frame: ResponseFrame, _state: DecodeState, server: ServerInfo): boolean {
    if (frame.status === Status.NoError) return true;
    if (frame.status === Status.KeyNotFound) return false;
    throw statusError(frame, this, server);
  }

  encodeMeta(out: MetaWriter, opaque: number): void {
    out.text('mg ').key(this.key, this.keyLength).text(' T').decimal(this.ttl).text(' O').decimal(opaque).end();
  }

  decodeMeta(reply: MetaReply, _state: DecodeState, server: ServerInfo): boolean {
    if (reply.code === 'HD') return true;
    if (reply.code === 'EN') return false;
    throw metaError(reply, this, server);
  }
}
