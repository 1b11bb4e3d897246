/**
 * incr / decr (binary INCREMENT / DECREMENT, meta `ma` with mode I / D): the
 * counter's new value (u64), or null when missing and not created. With an
 * initial value a missing counter is created with it (the delta is not
 * applied): binary extras, meta `N<ttl> J<initial>`.
 */
import type { Command, DecodeState } from '../connection/command';
import type { ServerInfo } from '../connection/server-info';
import { ProtocolError } from '../errors';
import { COUNTER_NO_CREATE, Opcode, Status } from '../wire/constants';
import type { RequestExtras } from '../wire/frame-writer';
import type { MetaReply } from '../wire/meta-reply';
import type { MetaWriter } from '../wire/meta-writer';
import type { ResponseFrame } from '../wire/response-frame';
import { metaError, statusError } from './status-error';

export class CounterCommand implements Command<bigint | null> {
  readonly opcode: number;
  readonly extras: RequestExtras;
  readonly value = null;
  readonly flags = 0;
  readonly cas = 0n;
  readonly casEpoch = undefined;
  readonly quiet = false;

  /** `ttl` is COUNTER_NO_CREATE to leave a missing counter missing. */
  constructor(
    readonly name: 'incr' | 'decr',
    readonly key: string,
    readonly keyLength: number,
    delta: bigint,
    initial: bigint,
    ttl: number,
  ) {
    this.opcode = name === 'incr' ? Opcode.Increment : Opcode.Decrement;
    this.extras = { kind: 'counter', delta, initial, ttl };
  }

  decodeBinary(frame: ResponseFrame, _state: DecodeState, server: ServerInfo): bigint | null {
    if (frame.status === Status.NoError) {
      const body = frame.value();
      if (body.length !== 8) throw new ProtocolError(`incr/decr reply has a ${body.length}-byte value, expected 8`, { server: server.server });
      return body.readBigUInt64BE(0);
    }
    if (frame.status === Status.KeyNotFound) return null;
    throw statusError(frame, this, server);
  }

  encodeMeta(out: MetaWriter, opaque: number): void {
    const { delta, initial, ttl } = this.extras as Extract<RequestExtras, { kind: 'counter' }>;
    out.text('ma ').key(this.key, this.keyLength).text(this.name === 'incr' ? ' v MI D' : ' v MD D').decimal(delta);
    if (ttl !== COUNTER_NO_CREATE) out.text(' N').decimal(ttl).text(' J').decimal(initial);
    out.text(' O').decimal(opaque).end();
  }

  decodeMeta(reply: MetaReply, _state: DecodeState, server: ServerInfo): bigint | null {
    if (reply.code === 'VA') {
      const text = reply.value!.toString('latin1');
      if (!/^\d{1,20}$/.test(text)) throw new ProtocolError(`incr/decr reply value ${JSON.stringify(text.slice(0, 40))} is not a decimal`, { server: server.server });
      return BigInt(text);
    }
    if (reply.code === 'NF') return null;
    throw metaError(reply, this, server);
  }
}
