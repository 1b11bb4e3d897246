/**
 * STAT: the server answers one frame per statistic (key = name, value =
 * value), all with the request's opaque, then one frame with an empty key.
 */
import { MORE_FRAMES, type ResponseHandler } from '../connection/request';
import { Status } from '../wire/constants';
import { statusError } from './status-error';

export const statsHandler: ResponseHandler<Map<string, string>> = {
  onFrame(frame, request, server) {
    if (frame.status !== Status.NoError) throw statusError(frame, request, server);
    const stats = (request.accumulator ??= new Map<string, string>()) as Map<string, string>;
    if (frame.keyLength === 0) return stats;
    stats.set(frame.key().toString('utf8'), frame.value().toString('utf8'));
    return MORE_FRAMES;
  },
};
