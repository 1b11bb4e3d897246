/** delete (binary DELETE / quiet DELETEQ, meta `md`): true when deleted; false when missing or the CAS did not match. */
import type { Command, DecodeState } from '../connection/command';
import type { ServerInfo } from '../connection/server-info';
import { Opcode, Status } from '../wire/constants';
import type { MetaReply } from '../wire/meta-reply';
import type { MetaWriter } from '../wire/meta-writer';
import type { ResponseFrame } from '../wire/response-frame';
import { metaError, statusError } from './status-error';

export class DeleteCommand implements Command<boolean> {
  readonly name: string;
  readonly opcode: number;
  readonly value = null;
  readonly flags = 0;
  readonly extras = null;

  constructor(
    readonly key: string,
    readonly keyLength: number,
    readonly cas: bigint,
    readonly casEpoch: string | undefined,
    readonly quiet: boolean,
  ) {
    this.name = quiet ? 'deleteq' : 'delete';
    this.opcode = quiet ? Opcode.DeleteQ : Opcode.Delete;
  }

  decodeBinary(frame: ResponseFrame, _state: DecodeState, server: ServerInfo): boolean {
    if (frame.status === Status.NoError) return true;
    if (frame.status === Status.KeyNotFound || frame.status === Status.KeyExists) return false;
    throw statusError(frame, this, server);
  }

  /** DELETEQ is silent on success. */
  onSilence(): boolean {
    return true;
  }

  encodeMeta(out: MetaWriter, opaque: number): void {
    out.text('md ').key(this.key, this.keyLength);
    if (this.cas !== 0n) out.text(' C').decimal(this.cas);
    out.text(' O').decimal(opaque).end();
  }

  decodeMeta(reply: MetaReply, _state: DecodeState, server: ServerInfo): boolean {
    if (reply.code === 'HD') return true;
    if (reply.code === 'NF' || reply.code === 'EX') return false;
    throw metaError(reply, this, server);
  }
}
