/**
 * Per-operation bookkeeping that must follow the work across awaits and DataLoader
 * batches without being threaded through every call: the upstream call counter.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  requestId: string;
  upstreamCalls: number;
  upstreamErrors: number;
  /** Told the size of every DataLoader batch this operation runs (metrics); see `observed` in graphql/batch.ts. */
  onBatch?: (loader: string, size: number) => void;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();
