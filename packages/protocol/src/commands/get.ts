/** GET / GETKQ: an item with its flags and CAS, or a miss. */
import type { ResponseHandler } from '../connection/request';
import type { Item } from '../item';
import { Status } from '../wire/constants';
import { statusError } from './status-error';

export const getHandler: ResponseHandler<Item | null> = {
  onFrame(frame, request, server) {
    const status = frame.status;
    if (status === Status.NoError) {
      return { key: request.key!, value: frame.value(), flags: frame.flags(), cas: frame.cas, epoch: server.epoch };
    }
    if (status === Status.KeyNotFound) return null;
    throw statusError(frame, request, server);
  },
  // GETKQ sends nothing on a miss: a later reply overtaking it means "miss".
  onSilence: () => null,
};
