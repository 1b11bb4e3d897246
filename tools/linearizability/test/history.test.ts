import { HistoryRecorder, classifyError, classifyResolvedError } from '../src';

class Coded extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

test('records invocation and response times, outputs (undefined as null), and clients', async () => {
  let now = 0;
  const recorder = new HistoryRecorder<string, unknown>({ clock: () => (now += 10) });
  await recorder.record(1, 'a', async () => 5);
  await recorder.record(2, 'b', async () => undefined);
  expect(recorder.operations()).toEqual([
    { client: 1, input: 'a', call: 10, return: 20, output: 5 },
    { client: 2, input: 'b', call: 30, return: 40, output: null },
  ]);
  expect(recorder.stats).toEqual({ ok: 2, unknown: 0, notApplied: 0, unexpected: 0 });
});

test('an unknown outcome is open-ended, "not applied" is dropped, anything else is open-ended and counted', async () => {
  const recorder = new HistoryRecorder<string, unknown>();
  await expect(recorder.record(1, 'lost', () => Promise.reject(new Coded('MCC_ERR_CONNECTION_CLOSED')))).rejects.toThrow();
  await expect(recorder.record(1, 'timeout', () => Promise.reject(new Coded('MCC_ERR_TIMEOUT')))).rejects.toThrow();
  await expect(recorder.record(1, 'deque', () => Promise.reject(new Coded('MCC_ERR_DEQUE_OUTCOME_UNKNOWN')))).rejects.toThrow();
  await expect(recorder.record(1, 'unreachable', () => Promise.reject(new Coded('MCC_ERR_CONNECTION')))).rejects.toThrow();
  await expect(recorder.record(1, 'bug', () => Promise.reject(new TypeError('oops')))).rejects.toThrow();
  const operations = recorder.operations();
  expect(operations.map((operation) => [operation.input, operation.return, operation.error])).toEqual([
    ['lost', null, 'MCC_ERR_CONNECTION_CLOSED'],
    ['timeout', null, 'MCC_ERR_TIMEOUT'],
    ['deque', null, 'MCC_ERR_DEQUE_OUTCOME_UNKNOWN'],
    ['bug', null, 'oops'],
  ]);
  expect(recorder.stats).toEqual({ ok: 0, unknown: 3, notApplied: 1, unexpected: 1 });
  expect(recorder.unexpectedErrors[0]).toMatch(/TypeError: oops/);
});

test('an operation still awaiting its response is open-ended; a second response is refused', () => {
  const recorder = new HistoryRecorder<string, number>();
  const pending = recorder.invoke(3, 'slow');
  expect(recorder.operations()).toEqual([{ client: 3, input: 'slow', call: expect.any(Number), return: null, error: 'no response' }]);
  pending.ok(1);
  expect(() => pending.ok(2)).toThrow(/twice/);
});

test('the default clock is monotonic and shared by processes (hrtime), in µs', () => {
  const recorder = new HistoryRecorder<string, number>();
  recorder.invoke(1, 'x').ok(1);
  const [operation] = recorder.operations();
  const nowMicros = Number(process.hrtime.bigint() / 1000n);
  expect(operation!.return!).toBeGreaterThanOrEqual(operation!.call);
  expect(Math.abs(nowMicros - operation!.call)).toBeLessThan(5_000_000);
});

test('classifyError by code', () => {
  expect(classifyError(new Coded('MCC_ERR_MCAS_OUTCOME_UNKNOWN'))).toBe('unknown');
  expect(classifyError(new Coded('MCC_ERR_INVALID_ARGUMENT'))).toBe('not-applied');
  expect(classifyError(new Coded('MCC_ERR_DEQUE_CORRUPTED'))).toBe('unexpected');
  expect(classifyError('string')).toBe('unexpected');
});

test('classifyResolvedError: for a layer that resolves lost replies, only *_OUTCOME_UNKNOWN stays open', () => {
  expect(classifyResolvedError(new Coded('MCC_ERR_CONNECTION_CLOSED'))).toBe('not-applied');
  expect(classifyResolvedError(new Coded('MCC_ERR_TIMEOUT'))).toBe('not-applied');
  expect(classifyResolvedError(new Coded('MCC_ERR_DEQUE_OUTCOME_UNKNOWN'))).toBe('unknown');
  expect(classifyResolvedError(new Coded('MCC_ERR_MCAS_OUTCOME_UNKNOWN'))).toBe('unknown');
  expect(classifyResolvedError(new Coded('MCC_ERR_DEQUE_CORRUPTED'))).toBe('unexpected');
});
