/**
 * The landing page at `/` outside production: Apollo Sandbox (Apollo Server's own local landing
 * page), which loads from Apollo's CDN. Without the internet Apollo's page says only that Sandbox
 * "cannot be loaded" and throws (`window.EmbeddedSandbox is not a constructor`); here it starts
 * Sandbox only when its script arrived, and otherwise says so and links to the offline GraphiQL
 * at `/graphiql` (src/http/graphiql.ts), which needs nothing but this process.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { GRAPHIQL_PATH } from '../http/graphiql.js';

const APOLLO_FALLBACK = '<p>Apollo Sandbox cannot be loaded; it appears that you might be offline.</p>';
const SANDBOX_START = 'new window.EmbeddedSandbox(';

/** Relative, so it resolves from `/` and `/graphql` alike, also behind a path prefix. */
const GRAPHIQL_LINK = `.${GRAPHIQL_PATH}`;

const OFFLINE_FALLBACK =
  `<p>Apollo Sandbox cannot be loaded: it comes from Apollo's CDN, and this browser cannot reach it (offline?).</p>\n` +
  `  <p id="offline-graphiql"><a href="${GRAPHIQL_LINK}">Open the offline GraphiQL at ${GRAPHIQL_PATH}</a>: ` +
  `everything it needs comes from this server.</p>`;

/**
 * Apollo's landing page with the offline fallback. Should a new Apollo Server change the parts
 * replaced, its page is served as it is (test/e2e/landing-page.test.ts then fails).
 */
export function withOfflineFallback(html: string): string {
  if (!html.includes(APOLLO_FALLBACK) || !html.includes(SANDBOX_START)) return html;
  // Without the script: Sandbox's empty full-page container goes (it would cover the link), and
  // the fallback under it shows at once instead of fading in.
  const showFallback = [
    `document.getElementById('embeddableSandbox').remove()`,
    `document.querySelector('.fallback').style.animation = 'none'`,
    `document.querySelector('.fallback').style.opacity = 1`,
  ].join(', ');
  return html
    .replace(APOLLO_FALLBACK, OFFLINE_FALLBACK)
    .replace(SANDBOX_START, `typeof window.EmbeddedSandbox !== 'function' ? (${showFallback}) : ${SANDBOX_START}`);
}

/** Sandbox with the offline fallback; in place of `ApolloServerPluginLandingPageLocalDefault`. */
export function sandboxLandingPage(): ApolloServerPlugin {
  const apollo = ApolloServerPluginLandingPageLocalDefault({ embed: true });
  return {
    async serverWillStart(service) {
      const listener = await apollo.serverWillStart!(service);
      const render = listener?.renderLandingPage;
      if (!render) throw new Error("Apollo Server's landing page plugin renders no page");
      return {
        async renderLandingPage() {
          const page = await render();
          const html = page.html;
          return { html: async () => withOfflineFallback(typeof html === 'string' ? html : await html()) };
        },
      };
    },
  };
}
