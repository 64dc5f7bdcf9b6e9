/**
 * The `extensions.code` of each error of a response, as the caller sees it: formatError
 * (src/graphql/errors.ts) assigns most codes (Horizon failures become UNAUTHENTICATED,
 * UPSTREAM_TIMEOUT, ...), so the raw errors alone would not tell.
 */
import type { GraphQLRequestContextWillSendResponse } from '@apollo/server';
import type { GraphQLError } from 'graphql';

export function responseErrorCodes<C>({
  errors,
  response,
}: Pick<GraphQLRequestContextWillSendResponse<C & object>, 'errors' | 'response'>): Array<{ error: GraphQLError; code: string; message: string }> {
  const formatted = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
  // The message too as the caller got it: formatError redacts it (a raw one may echo a refused variable's value).
  return (errors ?? []).map((error, i) => ({
    error,
    code: String(formatted?.[i]?.extensions?.code ?? error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'),
    message: formatted?.[i]?.message ?? error.message,
  }));
}
