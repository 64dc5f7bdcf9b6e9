/** What the purchases resolvers pass as parents (the mappers of src/graphql/codegen.yml). */
import type { EntitlementCheck, Purchase } from '../../horizon/purchases.js';

export interface EntitlementParent extends EntitlementCheck {
  userId: string;
  sku: string;
}

/** A purchase with its owner, whose webhook events `Purchase.lastOrder` reads. */
export interface PurchaseParent extends Purchase {
  userId: string;
}

export interface PurchaseEdgeParent {
  cursor: string;
  node: PurchaseParent;
}

export interface ConnectionParent {
  edges: PurchaseEdgeParent[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}
