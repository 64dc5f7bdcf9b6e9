/**
 * An undici dispatch handler that reads a whole response into memory: status, headers and
 * body, bounded in size and abortable by a signal. Graph answers are JSON documents of a few
 * kilobytes that are parsed whole anyway; `request()` would wrap each in a Readable stream,
 * an async iterator and a promise per chunk, the largest cost of an upstream call after the
 * socket itself.
 *
 * Contract: the promise settles exactly once. It rejects with the signal's reason as soon as
 * the signal aborts (even while the request still waits for a connection), with
 * `BodyTooLargeError` when the body passes `maxBytes`, and with undici's error for anything
 * that breaks the exchange (connect failures, resets, its headers and body timeouts).
 */
import type { CancelSignal } from '../signal.js';
import type { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';

export interface CollectedResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface CollectOptions {
  maxBytes: number;
  signal?: CancelSignal | undefined;
}

/** The body passed `maxBytes`: the exchange was cut off there. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(
    readonly statusCode: number,
    readonly limit: number,
  ) {
    super(`body larger than ${limit} bytes`);
  }
}

export function collect(dispatcher: Dispatcher, request: Dispatcher.DispatchOptions, options: CollectOptions): Promise<CollectedResponse> {
  return new Promise((resolve, reject) => {
    const signal = options.signal;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const handler = new Collector(options.maxBytes, signal, resolve, reject);
    signal?.addEventListener('abort', handler.onAbort, { once: true });
    dispatcher.dispatch(request, handler);
  });
}

class Collector implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private settled = false;
  private statusCode = 0;
  private headers: IncomingHttpHeaders = {};
  private readonly chunks: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly signal: CancelSignal | undefined,
    private readonly resolve: (response: CollectedResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  /** The caller gave up: settle now, and stop the exchange wherever it is. */
  readonly onAbort = (): void => {
    const reason: unknown = this.signal!.reason;
    this.fail(reason);
    this.controller?.abort(reason instanceof Error ? reason : new Error('aborted'));
  };

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // Aborted while waiting for a connection: never send it.
    if (this.settled) controller.abort(new Error('aborted'));
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.statusCode = statusCode;
    this.headers = headers;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.settled) return;
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      const error = new BodyTooLargeError(this.statusCode, this.maxBytes);
      this.fail(error);
      controller.abort(error);
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settled) return;
    this.settled = true;
    this.detach();
    const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.size);
    this.resolve({ statusCode: this.statusCode, headers: this.headers, body });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail(error);
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.detach();
    this.reject(error);
  }

  private detach(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}
