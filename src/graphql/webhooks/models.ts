/** What the webhook resolvers pass as parents (the mappers of src/graphql/codegen.yml). */
import type { WebhookEvent } from '../../webhooks/events.js';

export interface EventEdgeParent {
  cursor: string;
  node: WebhookEvent;
}

export interface EventConnectionParent {
  edges: EventEdgeParent[];
  hasNextPage: boolean;
  endCursor: string | null;
}
