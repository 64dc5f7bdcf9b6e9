/**
 * Every operation any test runs through the subgraph's ApolloServer (the harness, the app, the
 * README examples) also runs Apollo Server's own cache-control plugin beside ours
 * (src/graphql/cachePolicy.ts computes the header once per operation instead): the header ours
 * sets must be the one Apollo's plugin would set. Disagreements fail the test file that ran them.
 *
 * Loaded by jest's `setupFilesAfterEnv`, which wraps `cachePolicyPlugin` for every test file.
 */
import { HeaderMap, type ApolloServerPlugin, type BaseContext, type GraphQLRequestListener } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';

export interface Disagreement {
  query: string | undefined;
  variables: unknown;
  ours: string | undefined;
  apollos: string | undefined;
}

export const disagreements: Disagreement[] = [];
/** Operations compared so far in this test file. */
export const compared = { count: 0 };

/** `ours`, with Apollo's plugin run beside it on every request and the two headers compared. */
export function comparedWithApollo<C extends BaseContext>(ours: ApolloServerPlugin<C>): ApolloServerPlugin<C> {
  // Wrapped, not registered: ApolloServer allows one cache-control plugin, and ours runs with it disabled.
  const apollo = ApolloServerPluginCacheControl() as ApolloServerPlugin<C>;
  return {
    async serverWillStart(service) {
      await apollo.serverWillStart?.(service);
      return ours.serverWillStart?.(service);
    },
    async requestDidStart(requestContext) {
      const reference = (await apollo.requestDidStart?.(requestContext)) as GraphQLRequestListener<C> | void;
      const listener = (await ours.requestDidStart?.(requestContext)) as GraphQLRequestListener<C> | void;
      return {
        ...listener,
        // Apollo's per-field hooks: they fill `overallCachePolicy` (and @apollo/subgraph's `_entities` hints).
        executionDidStart: reference?.executionDidStart,
        async willSendResponse(context) {
          await listener?.willSendResponse?.(context);
          // Apollo's header, computed on a response of its own so ours cannot influence it.
          const headers = new HeaderMap();
          await reference?.willSendResponse?.({ ...context, response: { ...context.response, http: { ...context.response.http, headers } } });
          const theirs = headers.get('cache-control');
          const mine = context.response.http.headers.get('cache-control');
          compared.count++;
          if (mine !== theirs) disagreements.push({ query: context.request.query, variables: context.request.variables, ours: mine, apollos: theirs });
        },
      };
    },
  };
}

jest.mock('../../src/graphql/cachePolicy.js', () => {
  const actual = jest.requireActual<typeof import('../../src/graphql/cachePolicy.js')>('../../src/graphql/cachePolicy.js');
  return { ...actual, cachePolicyPlugin: () => comparedWithApollo(actual.cachePolicyPlugin()) };
});

afterAll(() => {
  expect(disagreements).toEqual([]);
});
