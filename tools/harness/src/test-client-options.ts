/**
 * The client options a test run asks for: `MCC_PROTOCOL=meta pnpm test`
 * runs every suite on the meta protocol. Clients that choose no protocol
 * read MCC_PROTOCOL themselves; this is for tests that build options
 * explicitly (e.g. to combine them with `tls`) and for messages.
 */
export interface TestClientOptions {
  readonly protocol: 'binary' | 'meta';
}

export function testClientOptions(): TestClientOptions {
  return { protocol: process.env.MCC_PROTOCOL === 'meta' ? 'meta' : 'binary' };
}
