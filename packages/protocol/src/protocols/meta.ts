/**
 * The meta wire (memcached's text protocol with the meta commands `mg`,
 * `ms`, `md`, `ma`, `mn`, plus the classic `stats`, `version` and
 * `flush_all`). Requests carry `O<opaque>` where the command takes one, and
 * the connection checks it against the oldest request; replies without one
 * (error lines, the classic commands) belong to the oldest request. No quiet
 * (`q`) requests are sent: memcached's error lines carry no opaque, so an
 * error of a quiet request could not be told from one of the next request.
 */
import { NOOP } from '../commands/simple';
import type { Command, DecodeState, MORE_REPLIES } from '../connection/command';
import type { ServerInfo } from '../connection/server-info';
import type { RequestEncoder, Wire, WireReply } from '../connection/wire';
import { MetaParser } from '../wire/meta-parser';
import type { MetaReply } from '../wire/meta-reply';
import { MetaWriter } from '../wire/meta-writer';
import { statsHandshake } from './binary';

export function metaWire(): Wire {
  return {
    name: 'meta',
    createParser: (onReply, maxBodyLength) => new MetaParser(onReply, maxBodyLength),
    createEncoder: () => new MetaWriter(),
    encode(encoder: RequestEncoder, command: Command<unknown>, opaque: number, server: ServerInfo) {
      const writer = encoder as MetaWriter;
      writer.write(command.metaLine(opaque, server), command.value);
      const trailer = command.metaTrailer?.(opaque, server);
      if (trailer !== undefined && trailer !== null) writer.write(trailer, null);
    },
    mismatch: () => null,
    decode<T>(command: Command<T>, reply: WireReply, state: DecodeState, server: ServerInfo): T | typeof MORE_REPLIES {
      return command.decodeMeta(reply as MetaReply, state, server);
    },
    handshake: (server) => statsHandshake(server, []),
    fence: null,
    noop: NOOP,
    commandName(command, server) {
      const line = command.metaLine(0, server);
      const space = line.indexOf(' ');
      return space < 0 ? line : line.slice(0, space);
    },
    replyBytes: (reply) => (reply as MetaReply).size,
  };
}
