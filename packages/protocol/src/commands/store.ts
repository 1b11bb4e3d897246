/**
 * SET / ADD / REPLACE / APPEND / PREPEND: the reply header carries the item's
 * new CAS — never read it back with another request.
 *
 * "Not stored" outcomes are ordinary results (`null`), not errors: a CAS
 * mismatch (key exists), a CAS write or replace on a missing key (not found),
 * an add on an existing key (key exists), append to a missing key (not stored).
 */
import type { ResponseHandler } from '../connection/request';
import { Status } from '../wire/constants';
import { statusError } from './status-error';

export const storeHandler: ResponseHandler<bigint | null> = {
  onFrame(frame, request, server) {
    const status = frame.status;
    if (status === Status.NoError) return frame.cas;
    if (status === Status.KeyExists || status === Status.KeyNotFound || status === Status.ItemNotStored) return null;
    throw statusError(frame, request, server);
  },
};
