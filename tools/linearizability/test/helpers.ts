import type { HistoryOperation } from '../src';

/** An operation that returned `output` (times in µs). */
export function done<I, O>(client: number, call: number, ret: number, input: I, output: O): HistoryOperation<I, O> {
  return { client, input, call, return: ret, output };
}

/** An open-ended operation (outcome unknown), invoked at `call`. */
export function open<I, O = never>(client: number, call: number, input: I): HistoryOperation<I, O> {
  return { client, input, call, return: null, error: 'MCC_ERR_CONNECTION_CLOSED' };
}
