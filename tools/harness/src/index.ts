/**
 * @mcc/harness: test infrastructure for mcc. Real memcached processes on free
 * loopback ports that always die with the test process, a TCP fault proxy,
 * and a jest helper.
 *
 * @packageDocumentation
 */
export { type HostPort, formatAddress, parseAddress } from './address';
export { type MemcachedCluster, startCluster } from './cluster';
export { type MemcachedStartErrorDetails, MemcachedNotInstalledError, MemcachedStartError } from './errors';
export { type FilledMemory, fillMemory } from './fill-memory';
export { listKeys } from './list-keys';
export {
  type FaultProxyMode,
  type RandomReplyFaults,
  type ReplyFault,
  type ReplyFaultCounts,
  type ReplyFaultKind,
  FaultProxy,
  closeAllProxies,
} from './fault-proxy';
export { seededRandom } from './seeded-random';
export { sleep } from './real-timers';
export { runWorkerScript } from './worker-script';
export { MEMCACHED_BIN_ENV, findMemcached } from './find-memcached';
export { freePort } from './free-port';
export { type MemcachedOptions, type TlsServerFiles, MEMCACHED_HOST, buildMemcachedArgs } from './memcached-args';
export { type TestCertificates, testCertificates } from './test-certificates';
export { type SaslUser, saslEnvironment } from './sasl-database';
export { type TestClientOptions, testClientOptions } from './test-client-options';
export { type MemcachedServer, killAllMemcached, startMemcached, stopAllMemcached } from './memcached-server';
export { type RawTextRequestOptions, rawTextRequest } from './raw-text-request';
export { SERVERS_ENV, type UsedMemcached, parseServerList, useMemcached, usePrivateMemcached } from './use-memcached';
export { itemSizeBytes, readSettings, serversSatisfy, settingsMismatch } from './external-servers';
export { WATCHDOG_SCRIPT } from './watchdog';
export { TRACE_PHASES, type TracePhase, recordTraces } from './trace-recorder';
