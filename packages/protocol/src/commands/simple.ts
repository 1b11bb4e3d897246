/** NOOP, FLUSH and VERSION: replies with no key, answered by every server. */
import type { ResponseHandler } from '../connection/request';
import { Status } from '../wire/constants';
import { statusError } from './status-error';

/** NOOP and FLUSH: success or an error. NOOP is also the fence that settles quiet requests before it. */
export const acknowledgeHandler: ResponseHandler<void> = {
  onFrame(frame, request, server) {
    if (frame.status !== Status.NoError) throw statusError(frame, request, server);
  },
};

/** VERSION: the server's version string, e.g. "1.6.18". */
export const versionHandler: ResponseHandler<string> = {
  onFrame(frame, request, server) {
    if (frame.status !== Status.NoError) throw statusError(frame, request, server);
    return frame.value().toString('utf8');
  },
};
