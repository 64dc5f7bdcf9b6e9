/** Subscription endpoints (reference §1.6): status, cancel, extend. */
import type { HorizonTransport } from './transport.js';

export class SubscriptionsApi {
  constructor(private readonly transport: HorizonTransport) {}
}
