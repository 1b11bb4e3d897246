/**
 * Opens the socket of a connection: plain TCP, or TLS (`tls` option).
 *
 * Plain sockets read through `onread` into memory the {@link SocketReader}
 * chooses (a large reply straight into its own buffer); TLS sockets hand
 * out decrypted chunks, fed to the same reader. `ready` fires when requests
 * may be written: on `connect`, or on `secureConnect` once the server's
 * certificate was verified — unless the socket connected to itself (below).
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { ServerAddress } from '../cluster/server-address';
import type { ResolvedClientOptions } from '../options';
import type { SocketReader } from './socket-reader';

export interface SocketEvents {
  /** The socket may carry requests. */
  ready(): void;
  /** Bytes arrived into the reader; returns false to stop reading (the socket is being dropped). */
  received(count: number): boolean;
  /** A decrypted chunk arrived (TLS). */
  chunk(data: Buffer): void;
  error(error: Error): void;
  close(): void;
}

export function openSocket(address: ServerAddress, options: ResolvedClientOptions, reader: SocketReader, events: SocketEvents): net.Socket {
  let socket: net.Socket;
  if (options.tls === false) {
    socket = net.createConnection({
      host: address.host,
      port: address.port,
      onread: { buffer: () => reader.next(), callback: (count: number) => events.received(count) },
    });
    socket.on('connect', () => {
      if (!refusedAsSelfConnected(socket, address)) events.ready();
    });
  } else {
    const custom = options.tls;
    // SNI and the certificate's name check use the host as configured, unless told otherwise.
    const servername = custom.servername ?? (net.isIP(address.host) === 0 ? address.host : undefined);
    socket = tls.connect({ ...custom, host: address.host, port: address.port, ...(servername === undefined ? {} : { servername }) });
    socket.on('connect', () => refusedAsSelfConnected(socket, address)); // before any handshake byte is read back
    socket.on('secureConnect', () => events.ready());
    socket.on('data', (data: Buffer) => events.chunk(data));
  }
  socket.setNoDelay(options.noDelay);
  if (options.keepAliveMs > 0) socket.setKeepAlive(true, options.keepAliveMs);
  socket.on('error', (error) => events.error(error));
  socket.on('close', () => events.close());
  return socket;
}

/**
 * TCP's simultaneous open lets a connection to a port of this host where
 * nothing listens succeed — with itself — when the kernel picks that same
 * port as the local one (the port is in the ephemeral range). The socket
 * would then read back its own requests as replies. It is what it means: no
 * server there, a refused connection; destroys the socket with that error
 * and says whether it did.
 */
function refusedAsSelfConnected(socket: net.Socket, address: ServerAddress): boolean {
  if (socket.localPort !== socket.remotePort || socket.localAddress !== socket.remoteAddress) return false;
  const error = Object.assign(new Error(`connect ECONNREFUSED ${address.host}:${address.port}: the socket connected to itself (TCP simultaneous open): nothing listens on that port`), { code: 'ECONNREFUSED' });
  socket.destroy(error);
  return true;
}
