/**
 * Apollo Server on the subgraph schema: limits, error formatting, cache policy, the landing
 * page and one log line per operation. The HTTP side (src/http, src/server.ts) serves it.
 */
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { DEFAULTS } from '../config.js';
import type { Logger } from '../logger.js';
import { responseErrorCodes } from '../observability/errorCodes.js';
import { currentTraceId } from '../observability/spans.js';
import { buildSchema } from './schema.js';
import type { ServerConfig } from '../subgraphDeps.js';
import { cachePolicyPlugin } from './cachePolicy.js';
import type { Context } from './context.js';
import { formatError } from './errors.js';
import { guardEntityRepresentations } from './inputs.js';
import { sandboxLandingPage } from './landingPage.js';
import { queryCostPlugin, queryLimitRules } from './limits.js';

export function createApolloServer(deps: { config: ServerConfig; logger: Logger }, extraPlugins: ApolloServerPlugin<Context>[] = []): ApolloServer<Context> {
  const { config, logger } = deps;
  // Depth, aliases, cost and size of each operation (src/graphql/limits.ts).
  const limits = config.queryLimits ?? DEFAULTS.queryLimits;
  return new ApolloServer<Context>({
    schema: guardEntityRepresentations(buildSchema(undefined, config.sdlAuthDirectives)),
    logger,
    introspection: !config.production,
    includeStacktraceInErrorResponses: !config.production,
    // src/observability/shutdown.ts owns SIGTERM/SIGINT. Apollo's own handler would race it, and a
    // second concurrent stop() never returns (Apollo resolves its stop barrier only on failure).
    stopOnTerminationSignals: false,
    hideSchemaDetailsFromClientErrors: config.production,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: queryLimitRules(limits),
    formatError: (formatted, error) => formatError(formatted, error, { production: config.production }),
    plugins: [
      // Cache-Control from the operation and the schema's hints, once per operation (src/graphql/cachePolicy.ts)
      // rather than Apollo's per-field hooks.
      ApolloServerPluginCacheControlDisabled(),
      cachePolicyPlugin(),
      config.production ? ApolloServerPluginLandingPageDisabled() : sandboxLandingPage(),
      queryCostPlugin(limits),
      operationLogPlugin(logger),
      ...extraPlugins,
    ],
  });
}

/** One `operation` log line per operation: who, what, how long, how many upstream calls, which error codes. */
function operationLogPlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      return {
        async willSendResponse(requestContext) {
          const { operationName, operation } = requestContext;
          // The operation's own client view tallied its calls (src/horizon/transport.ts `scoped`).
          const scope = contextValue.scope;
          logger.info(
            {
              requestId: contextValue.requestId,
              traceId: currentTraceId() ?? null,
              operationName: operationName ?? null,
              operationType: operation?.operation ?? null,
              durationMs: Math.round((performance.now() - started) * 10) / 10,
              upstreamCalls: scope.upstreamCalls,
              upstreamErrors: scope.upstreamErrors,
              // Codes as the caller got them (formatError assigns most).
              errors: responseErrorCodes(requestContext).map(({ error, code, message }) => ({ message, code, path: error.path ?? null })),
            },
            'operation',
          );
        },
      };
    },
  };
}
