/**
 * Maps a reply that is not an ordinary outcome to the typed error the caller
 * sees — the same error on both wires: a meta error line is mapped to the
 * binary status of the same meaning, so `ServerError.status` is one vocabulary.
 */
import type { Command } from '../connection/command';
import type { ServerInfo } from '../connection/server-info';
import { AuthenticationError, ProtocolError, ServerError, ValueTooLargeError } from '../errors';
import { Status, statusName } from '../wire/constants';
import type { MetaReply } from '../wire/meta-reply';
import type { ResponseFrame } from '../wire/response-frame';

type Described = Pick<Command<unknown>, 'name' | 'key' | 'keyLength' | 'value' | 'flags'>;

/** `set "key"`, for messages. */
export function describeCommand(command: Pick<Command<unknown>, 'name' | 'key'>): string {
  return command.key === null ? command.name : `${command.name} ${JSON.stringify(command.key)}`;
}

function where(command: Described, server: ServerInfo): { key?: string; server: string } {
  return command.key === null ? { server: server.server } : { key: command.key, server: server.server };
}

function tooLarge(command: Described, server: ServerInfo): ValueTooLargeError {
  const size = command.value?.length ?? 0;
  const limit = server.maxValueLength(command.keyLength, command.flags);
  return new ValueTooLargeError(size, limit, `${describeCommand(command)}: the server refused a ${size}-byte value as too large (limit ${limit} bytes, -I ${server.itemSizeMax})`, where(command, server));
}

function serverError(command: Described, server: ServerInfo, status: number, detail: string): ServerError {
  return new ServerError(
    status,
    `${describeCommand(command)} failed on ${server.server}: ${statusName(status)} (0x${status.toString(16).padStart(4, '0')})${detail ? ': ' + detail : ''}`,
    where(command, server),
  );
}

/** A binary reply with an error status. */
export function statusError(frame: ResponseFrame, command: Described, server: ServerInfo): Error {
  if (frame.status === Status.ValueTooLarge) return tooLarge(command, server);
  if (frame.status === Status.AuthError) {
    return new AuthenticationError(`${describeCommand(command)}: ${server.server} requires SASL authentication (memcached -S): set the sasl option`, where(command, server));
  }
  return serverError(command, server, frame.status, frame.value().toString('utf8'));
}

/** The binary status a meta error line stands for (memcached 1.6.18's wording). */
function metaStatus(reply: MetaReply): number {
  const message = reply.message;
  if (reply.code === 'ERROR') return Status.UnknownCommand;
  if (reply.code === 'CLIENT_ERROR') return message.includes('non-numeric') ? Status.NonNumericValue : Status.InvalidArguments;
  if (message.startsWith('out of memory')) return Status.OutOfMemory;
  return Status.InternalError;
}

/** A meta reply that is no ordinary outcome: an error line, or a code the command cannot answer (the stream is out of step). */
export function metaError(reply: MetaReply, command: Described, server: ServerInfo): Error {
  if (reply.code === 'CLIENT_ERROR' && reply.message === 'unauthenticated') {
    return new AuthenticationError(`${describeCommand(command)}: ${server.server} requires authentication (memcached -Y authfile): set the auth option`, where(command, server));
  }
  if (reply.code === 'SERVER_ERROR' && reply.message.startsWith('object too large')) return tooLarge(command, server);
  if (reply.code === 'SERVER_ERROR' || reply.code === 'CLIENT_ERROR' || reply.code === 'ERROR') {
    return serverError(command, server, metaStatus(reply), reply.code === 'ERROR' ? '' : reply.message);
  }
  return new ProtocolError(`unexpected reply ${JSON.stringify(reply.line.slice(0, 80))} to ${describeCommand(command)}`, where(command, server));
}

const MAX_U64 = (1n << 64n) - 1n;

function badFlag(reply: MetaReply, letter: string, command: Described, server: ServerInfo): ProtocolError {
  return new ProtocolError(`reply ${JSON.stringify(reply.line.slice(0, 80))} to ${describeCommand(command)} has no valid "${letter}" flag`, where(command, server));
}

/** The unsigned 32-bit decimal of a meta flag (`f`), or a ProtocolError. */
export function metaUint32(reply: MetaReply, letter: string, command: Described, server: ServerInfo): number {
  const value = reply.smallFlag(letter);
  if (value < 0 || value > 0xffffffff) throw badFlag(reply, letter, command, server);
  return value;
}

/** The unsigned 64-bit decimal of a meta flag (`c`), or a ProtocolError. */
export function metaUnsigned(reply: MetaReply, letter: string, command: Described, server: ServerInfo): bigint {
  const value = reply.unsignedFlag(letter);
  if (value === null || value > MAX_U64) throw badFlag(reply, letter, command, server);
  return value;
}
