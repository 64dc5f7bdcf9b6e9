/** Resolvers for purchases, entitlements, the catalog and subscriptions. */
export const purchaseResolvers = {};
