/** In-app purchase endpoints (reference §1.1-1.5): entitlements, consumption, purchases, catalog, refunds. */
import type { HorizonTransport } from './transport.js';

export class PurchasesApi {
  constructor(private readonly transport: HorizonTransport) {}
}
