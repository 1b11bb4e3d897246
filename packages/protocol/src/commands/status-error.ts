/** Maps an unexpected reply status to the typed error the caller sees. */
import { ServerError, ValueTooLargeError } from '../errors';
import type { ServerInfo } from '../connection/server-info';
import type { RequestFrame } from '../wire/frame-writer';
import { Status, statusName } from '../wire/constants';
import type { ResponseFrame } from '../wire/response-frame';

const OPERATION_NAMES: Record<number, string> = {
  0x00: 'get', 0x01: 'set', 0x02: 'add', 0x03: 'replace', 0x04: 'delete', 0x05: 'incr', 0x06: 'decr',
  0x08: 'flush', 0x09: 'getq', 0x0a: 'noop', 0x0b: 'version', 0x0c: 'getk', 0x0d: 'getkq', 0x0e: 'append',
  0x0f: 'prepend', 0x10: 'stats', 0x11: 'setq', 0x12: 'addq', 0x13: 'replaceq', 0x14: 'deleteq',
  0x19: 'appendq', 0x1a: 'prependq', 0x1c: 'touch', 0x1d: 'gat', 0x1e: 'gatq',
};

/** Short name of an opcode for messages ("set", "getkq"). */
export function operationName(opcode: number): string {
  return OPERATION_NAMES[opcode] ?? `opcode 0x${opcode.toString(16)}`;
}

export function statusError(frame: ResponseFrame, request: Pick<RequestFrame, 'opcode' | 'key' | 'keyLength' | 'value' | 'extras'>, server: ServerInfo): Error {
  const status = frame.status;
  const key = request.key ?? undefined;
  const where = { server: server.server, ...(key === undefined ? {} : { key }) };
  const operation = operationName(request.opcode);
  if (status === Status.ValueTooLarge) {
    const size = request.value?.length ?? 0;
    const limit = server.maxValueLength(request.keyLength, request.extras?.kind === 'store' ? request.extras.flags : 0);
    return new ValueTooLargeError(size, limit, `${operation} ${key ?? ''}: the server refused a ${size}-byte value as too large (limit ~${limit} bytes, -I ${server.itemSizeMax})`, where);
  }
  const detail = frame.value().toString('utf8');
  return new ServerError(
    status,
    `${operation}${key === undefined ? '' : ' ' + JSON.stringify(key)} failed on ${server.server}: ${statusName(status)} (0x${status.toString(16).padStart(4, '0')})${detail ? ': ' + detail : ''}`,
    where,
  );
}
