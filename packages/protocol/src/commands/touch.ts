/** TOUCH: true when the item exists and got the new expiration. */
import type { ResponseHandler } from '../connection/request';
import { Status } from '../wire/constants';
import { statusError } from './status-error';

export const touchHandler: ResponseHandler<boolean> = {
  onFrame(frame, request, server) {
    if (frame.status === Status.NoError) return true;
    if (frame.status === Status.KeyNotFound) return false;
    throw statusError(frame, request, server);
  },
};
