/** What the accounts resolvers pass as parents (the mappers of src/graphql/codegen.yml). */
import type { FederatedUser } from '../../horizon/accounts.js';
import type { Settlement } from '../../idempotency/ledger.js';
import type { ConnectionParent } from '../cursor.js';

export type FederatedUserConnectionParent = ConnectionParent<FederatedUser>;
export type FederatedUserEdgeParent = FederatedUserConnectionParent['edges'][number];

export interface CreateFederatedUserPayloadParent {
  user: FederatedUser;
  settledBy: Settlement;
}
