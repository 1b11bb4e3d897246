/** INCREMENT / DECREMENT: the counter's new value (u64), or null when missing and not created. */
import type { ResponseHandler } from '../connection/request';
import { ProtocolError } from '../errors';
import { Status } from '../wire/constants';
import { statusError } from './status-error';

export interface CounterResult {
  readonly value: bigint;
  readonly cas: bigint;
}

export const counterHandler: ResponseHandler<CounterResult | null> = {
  onFrame(frame, request, server) {
    const status = frame.status;
    if (status === Status.NoError) {
      const body = frame.value();
      if (body.length !== 8) throw new ProtocolError(`incr/decr reply has a ${body.length}-byte value, expected 8`, { server: server.server });
      return { value: body.readBigUInt64BE(0), cas: frame.cas };
    }
    if (status === Status.KeyNotFound) return null;
    throw statusError(frame, request, server);
  },
};
