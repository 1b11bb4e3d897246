/**
 * The meta wire (memcached's text protocol with the meta commands `mg`,
 * `ms`, `md`, `ma`, `mn`, plus the classic `stats`, `version` and
 * `flush_all`). Requests carry `O<opaque>` where the command takes one, and
 * the connection checks it against the oldest request; replies without one
 * (error lines, the classic commands) belong to the oldest request. No quiet
 * (`q`) requests are sent: memcached's error lines carry no opaque, so an
 * error of a quiet request could not be told from one of the next request.
 * With `auth`, every connection first authenticates against memcached's
 * authfile (`-Y`) if the server requires it (see commands/authfile.ts).
 */
import { AuthCommand, AuthProbeCommand, type AuthCredentials } from '../commands/authfile';
import { NOOP } from '../commands/simple';
import type { Command, DecodeState, MORE_REPLIES } from '../connection/command';
import type { ServerInfo } from '../connection/server-info';
import type { Handshake, RequestEncoder, Wire, WireReply } from '../connection/wire';
import { MetaParser } from '../wire/meta-parser';
import type { MetaReply } from '../wire/meta-reply';
import { MetaWriter } from '../wire/meta-writer';
import { statsHandshake } from './binary';

export function metaWire(auth: AuthCredentials | null): Wire {
  return {
    name: 'meta',
    createParser: (onReply, maxBodyLength) => new MetaParser(onReply, maxBodyLength),
    createEncoder: () => new MetaWriter(),
    encode(encoder: RequestEncoder, command: Command<unknown>, opaque: number, server: ServerInfo) {
      command.encodeMeta(encoder as MetaWriter, opaque, server);
    },
    mismatch: () => null,
    decode<T>(command: Command<T>, reply: WireReply, state: DecodeState, server: ServerInfo): T | typeof MORE_REPLIES {
      return command.decodeMeta(reply as MetaReply, state, server);
    },
    handshake: (server) => statsHandshake(server, [], auth === null ? null : authenticate(auth)),
    fence: null,
    noop: NOOP,
    commandName(command, server) {
      // Traces only: encode into a fresh writer and read the line's first word (its first chunk holds the whole line).
      const scratch = new MetaWriter();
      command.encodeMeta(scratch, 0, server);
      const bytes = scratch.take()[0]!;
      const end = bytes.findIndex((byte) => byte === 0x20 || byte === 0x0d);
      return bytes.toString('latin1', 0, end < 0 ? bytes.length : end);
    },
    replyBytes: (reply) => (reply as MetaReply).size,
  };
}

/** The authfile exchange: a probe, and the credentials only if the server asks for them. */
function authenticate(auth: AuthCredentials): NonNullable<Handshake['prelude']> {
  return async (send) => {
    if ((await send(new AuthProbeCommand())) === true) await send(new AuthCommand(auth));
  };
}
