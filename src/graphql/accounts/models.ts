/** What the accounts resolvers pass as parents (the mappers of src/graphql/codegen.yml). */
import type { FederatedUser } from '../../horizon/accounts.js';
import type { Settlement } from '../../idempotency/ledger.js';

export interface FederatedUserEdgeParent {
  cursor: string;
  node: FederatedUser;
}

export interface FederatedUserConnectionParent {
  edges: FederatedUserEdgeParent[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export interface CreateFederatedUserPayloadParent {
  user: FederatedUser;
  settledBy: Settlement;
}
