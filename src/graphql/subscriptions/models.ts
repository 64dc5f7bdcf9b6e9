/** What the subscriptions resolvers pass as parents (the mappers of src/graphql/codegen.yml). */
import type { Settlement } from '../../idempotency/ledger.js';

export interface SubscriptionPayloadParent {
  success: boolean;
  userId: string;
  sku: string;
  settledBy?: Settlement;
}
