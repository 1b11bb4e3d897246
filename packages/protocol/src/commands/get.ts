/** get (binary GET / quiet GETKQ, meta `mg <key> v c f`): an item with its flags and CAS, or a miss. */
import type { Command, DecodeState } from '../connection/command';
import type { ServerInfo } from '../connection/server-info';
import type { Item } from '../item';
import { Opcode, Status } from '../wire/constants';
import type { MetaReply } from '../wire/meta-reply';
import type { MetaWriter } from '../wire/meta-writer';
import type { ResponseFrame } from '../wire/response-frame';
import { metaError, metaUint32, metaUnsigned, statusError } from './status-error';

export class GetCommand implements Command<Item | null> {
  readonly name: string;
  readonly opcode: number;
  readonly value = null;
  readonly flags = 0;
  readonly cas = 0n;
  readonly casEpoch = undefined;
  readonly extras = null;

  constructor(readonly key: string, readonly keyLength: number, readonly quiet: boolean) {
    this.name = quiet ? 'getkq' : 'get';
    this.opcode = quiet ? Opcode.GetKQ : Opcode.Get;
  }

  decodeBinary(frame: ResponseFrame, _state: DecodeState, server: ServerInfo): Item | null {
    if (frame.status === Status.NoError) return { key: this.key, value: frame.value(), flags: frame.flags(), cas: frame.cas, epoch: server.epoch };
    if (frame.status === Status.KeyNotFound) return null;
    throw statusError(frame, this, server);
  }

  /** GETKQ sends nothing on a miss: a later reply overtaking it means "miss". */
  onSilence(): null {
    return null;
  }

  encodeMeta(out: MetaWriter, opaque: number): void {
    out.text('mg ').key(this.key, this.keyLength).text(' v c f O').decimal(opaque).end();
  }

  decodeMeta(reply: MetaReply, _state: DecodeState, server: ServerInfo): Item | null {
    if (reply.code === 'VA') {
      const flags = metaUint32(reply, 'f', this, server);
      return { key: this.key, value: reply.value!, flags, cas: metaUnsigned(reply, 'c', this, server), epoch: server.epoch };
    }
    if (reply.code === 'EN') return null;
    throw metaError(reply, this, server);
  }
}
