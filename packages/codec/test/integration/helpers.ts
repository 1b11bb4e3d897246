/**
 * Shared helpers of the integration suites (not a test file).
 */
let counter = 0;

/** A key no other test (or earlier run against a reused server) has used. */
export function uniqueKey(prefix: string): string {
  counter++;
  return `codec:${prefix}:${process.pid}:${Date.now().toString(36)}:${counter}`;
}

/** The rejection of `promise`, or a failure if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
