/**
 * A request travelling through a connection: what to encode, how to turn
 * its reply frames into a result, and the promise to settle.
 */
import type { RequestExtras, RequestFrame } from '../wire/frame-writer';
import type { ResponseFrame } from '../wire/response-frame';
import type { ServerInfo } from './server-info';

/** Returned by a handler that expects more frames for the same request (stats). */
export const MORE_FRAMES: unique symbol = Symbol('more frames');

/** Turns the reply frames of one kind of request into its result. */
export interface ResponseHandler<T> {
  /** Returns the result, {@link MORE_FRAMES}, or throws the error to reject with. */
  onFrame(frame: ResponseFrame, request: Request<T>, server: ServerInfo): T | typeof MORE_FRAMES;
  /**
   * Quiet requests only: a later reply arrived first, so this one succeeded
   * without a reply (a quiet store or delete) or missed (a quiet get).
   */
  onSilence?(request: Request<T>): T;
}

export interface RequestSpec<T> {
  readonly opcode: number;
  readonly key: string | null;
  readonly keyLength: number;
  readonly extras: RequestExtras | null;
  readonly value: Buffer | null;
  readonly cas: bigint;
  /** For a conditional write: the server epoch its CAS was read in, if known. */
  readonly casEpoch?: string | undefined;
  readonly handler: ResponseHandler<T>;
}

export class Request<T> implements RequestFrame {
  readonly opcode: number;
  readonly key: string | null;
  readonly keyLength: number;
  readonly extras: RequestExtras | null;
  readonly value: Buffer | null;
  readonly cas: bigint;
  readonly casEpoch: string | undefined;
  readonly handler: ResponseHandler<T>;
  readonly quiet: boolean;
  /** Assigned when the request is encoded. */
  opaque = 0;
  /** Epoch-milliseconds after which the request times out. */
  deadline = 0;
  /** Scratch space for handlers that collect several frames (stats). */
  accumulator: unknown = undefined;

  constructor(
    spec: RequestSpec<T>,
    quiet: boolean,
    readonly resolve: (value: T) => void,
    readonly reject: (error: Error) => void,
  ) {
    this.opcode = spec.opcode;
    this.key = spec.key;
    this.keyLength = spec.keyLength;
    this.extras = spec.extras;
    this.value = spec.value;
    this.cas = spec.cas;
    this.casEpoch = spec.casEpoch;
    this.handler = spec.handler;
    this.quiet = quiet;
  }
}
