/** DELETE / DELETEQ: true when deleted; false when missing or the CAS did not match. */
import type { ResponseHandler } from '../connection/request';
import { Status } from '../wire/constants';
import { statusError } from './status-error';

export const deleteHandler: ResponseHandler<boolean> = {
  onFrame(frame, request, server) {
    const status = frame.status;
    if (status === Status.NoError) return true;
    if (status === Status.KeyNotFound || status === Status.KeyExists) return false;
    throw statusError(frame, request, server);
  },
  // DELETEQ is silent on success.
  onSilence: () => true,
};
