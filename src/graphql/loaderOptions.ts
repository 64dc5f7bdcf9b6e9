import type { CancelSignal } from '../horizon/signal.js';

/** Told the size of every DataLoader batch (the loader's name, keys in the batch). */
export type BatchObserver = (loader: string, size: number) => void;

/** What every domain's loader factory is given for one request. */
export interface LoaderOptions {
  /** Reports batch sizes (metrics); optional. */
  onBatch?: BatchObserver;
  /** Aborted when the caller goes away; reads stop, writes never take it. */
  signal?: CancelSignal;
  /** The calling player's user access token, when the gateway forwarded one. Never log it. */
  userToken?: string;
}
