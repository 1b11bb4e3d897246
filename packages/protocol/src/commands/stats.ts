/**
 * stats [group]. Binary: one STAT frame per statistic (key = name, value =
 * value), all with the request's opaque, then one with an empty key. Meta
 * connections send the text command: `STAT <name> <value>` lines, then `END`.
 */
import { MORE_REPLIES, type Command, type DecodeState } from '../connection/command';
import type { ServerInfo } from '../connection/server-info';
import { Opcode, Status } from '../wire/constants';
import type { MetaReply } from '../wire/meta-reply';
import type { MetaWriter } from '../wire/meta-writer';
import type { ResponseFrame } from '../wire/response-frame';
import { metaError, statusError } from './status-error';

export class StatsCommand implements Command<Map<string, string>> {
  readonly name = 'stats';
  readonly opcode = Opcode.Stat;
  readonly keyLength: number;
  readonly value = null;
  readonly flags = 0;
  readonly cas = 0n;
  readonly casEpoch = undefined;
  readonly extras = null;
  readonly quiet = false;

  /** `group` is sent as the binary key or after `stats ` on the text line: the caller validates it. */
  constructor(readonly key: string | null) {
    this.keyLength = key === null ? 0 : Buffer.byteLength(key);
  }

  decodeBinary(frame: ResponseFrame, state: DecodeState, server: ServerInfo): Map<string, string> | typeof MORE_REPLIES {
    if (frame.status !== Status.NoError) throw statusError(frame, this, server);
    const stats = (state.accumulator ??= new Map<string, string>()) as Map<string, string>;
    if (frame.keyLength === 0) return stats;
    stats.set(frame.key().toString('utf8'), frame.value().toString('utf8'));
    return MORE_REPLIES;
  }

  encodeMeta(out: MetaWriter): void {
    out.text('stats');
    if (this.key !== null) out.text(' ').key(this.key, this.keyLength);
    out.end();
  }

  decodeMeta(reply: MetaReply, state: DecodeState, server: ServerInfo): Map<string, string> | typeof MORE_REPLIES {
    const stats = (state.accumulator ??= new Map<string, string>()) as Map<string, string>;
    if (reply.code === 'END') return stats;
    if (reply.code !== 'STAT' || reply.tokens.length < 1) throw metaError(reply, this, server);
    stats.set(reply.tokens[0]!, reply.tokens.slice(1).join(' '));
    return MORE_REPLIES;
  }
}
