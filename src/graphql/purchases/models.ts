/** What the purchases resolvers pass as parents (the mappers of src/graphql/codegen.yml). */
import type { EntitlementCheck, Purchase } from '../../horizon/purchases.js';
import type { ConnectionParent as Connection } from '../cursor.js';

export interface EntitlementParent extends EntitlementCheck {
  userId: string;
  sku: string;
}

/** A purchase with its owner, whose webhook events `Purchase.lastOrder` reads. */
export interface PurchaseParent extends Purchase {
  userId: string;
}

export type ConnectionParent = Connection<PurchaseParent>;
export type PurchaseEdgeParent = ConnectionParent['edges'][number];
