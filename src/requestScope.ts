/**
 * Per-operation bookkeeping that must follow the work across awaits and DataLoader
 * batches without being threaded through every call: the upstream call counter.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestScope {
  requestId: string;
  upstreamCalls: number;
  upstreamErrors: number;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();
