/**
 * The offline GraphiQL at /graphiql in a real browser (Debian's chromium via playwright-core):
 * it loads and runs operations with no network but the loopback subgraph, sends the headers
 * typed in its Headers editor, and shows the emulator's data. Every request the page makes
 * to anywhere else is blocked and recorded, and the test fails if there was one.
 * Skipped (with the reason printed at start-up) when chromium is missing, except under
 * REQUIRE_CHROMIUM=1 (`.ci/run`), where a missing chromium fails the run.
 */
import { parse, print } from 'graphql';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { request } from 'undici';
import { demoUserId, demoUserToken, startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { NO_CALLER_AUTH } from '../../src/auth/jwt.js';
import { GRAPHIQL_CSP } from '../../src/http/graphiql.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { startSubgraph, type RunningSubgraph } from '../../src/server.js';
import { chromiumPath, describeWithChromium } from '../helpers/chromium.js';
import { clientFor, silentLogger } from '../helpers/harness.js';

jest.setTimeout(90_000);

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A browser tab on /graphiql whose every request off loopback is refused and recorded. */
interface OfflineTab {
  page: Page;
  /** Requests that tried to leave loopback (blocked). */
  offsite: string[];
  /** GraphQL requests the page sent to the subgraph. */
  graphql: Request[];
  /** Uncaught page errors and console errors (CSP violations show up here). */
  problems: string[];
  context: BrowserContext;
}

describeWithChromium('offline GraphiQL at /graphiql, in chromium', () => {
  let emulator: RunningEmulator;
  let horizon: HorizonClient;
  let subgraph: RunningSubgraph;
  let browser: Browser;

  beforeAll(async () => {
    emulator = await startEmulator();
    horizon = clientFor(emulator);
    subgraph = await startSubgraph(
      { config: { production: false, corsOrigins: [], maxBodyBytes: 1 << 20 }, horizon, logger: silentLogger },
      { port: 0, host: '127.0.0.1' },
    );
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await subgraph?.stop();
    await horizon?.close();
    await emulator?.close();
  });

  async function openGraphiQL(): Promise<OfflineTab> {
    const context = await browser.newContext();
    const offsite: string[] = [];
    const graphql: Request[] = [];
    const problems: string[] = [];
    // Context-wide: every page of the context, popups included. data: and blob: URLs (the
    // inlined fonts, the editor's workers) are not network requests.
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if ((url.protocol === 'http:' || url.protocol === 'https:') && !LOOPBACK.has(url.hostname)) {
        offsite.push(url.href);
        await route.abort('blockedbyclient');
        return;
      }
      await route.continue();
    });
    await context.routeWebSocket(/.*/, (socket) => {
      if (LOOPBACK.has(new URL(socket.url()).hostname)) {
        socket.connectToServer();
        return;
      }
      offsite.push(socket.url());
      void socket.close({ code: 1008, reason: 'offline test' });
    });
    const page = await context.newPage();
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/graphql') graphql.push(r);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    const response = await page.goto(`${subgraph.url}graphiql`);
    expect(response?.status()).toBe(200);
    // The schema is introspected from the subgraph before the editors are usable.
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor();
    return { page, offsite, graphql, problems, context };
  }

  /** Replaces an editor's whole text as a user would (inserted, so Monaco adds no closing brackets). */
  async function setEditor(page: Page, editor: string, text: string): Promise<void> {
    await page.locator(`${editor} .monaco-editor .view-lines`).first().click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.insertText(text);
  }

  /**
   * Types an operation and waits until GraphiQL has taken it in: it reads the editors after a
   * debounce, and the active tab is titled with the operation's name once it has.
   */
  async function setQuery(page: Page, query: string, tabTitle: string): Promise<void> {
    await setEditor(page, '.graphiql-query-editor', query);
    await page.locator('.graphiql-tab-active', { hasText: tabTitle }).waitFor({ timeout: 10_000 });
  }

  /** Types the Headers editor's JSON; GraphiQL reads it after a debounce (no visible sign). */
  async function setHeaders(page: Page, headers: Record<string, string>): Promise<void> {
    await setEditor(page, 'section[aria-label="Headers"] .graphiql-editor:not(.hidden)', JSON.stringify(headers));
    await page.waitForTimeout(500);
  }

  /** The result pane's text, whitespace collapsed (Monaco renders spaces as U+00A0). */
  async function resultText(page: Page): Promise<string> {
    const text = await page.locator('section[aria-label="Result Window"] .view-lines').innerText();
    return text.replace(/\s+/g, ' ');
  }

  /** Polls `read` until `done` holds (or 10 s pass) and returns the last value read. */
  async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 10_000;
    let value = await read();
    while (!done(value) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      value = await read();
    }
    return value;
  }

  /** Runs the editor's operation and waits for the subgraph's answer. */
  async function run(tab: OfflineTab): Promise<{ request: Request; body: any }> {
    const answered = tab.page.waitForResponse(
      (r) => new URL(r.url()).pathname === '/graphql' && r.request().method() === 'POST' && !String(r.request().postData()).includes('IntrospectionQuery'),
    );
    await tab.page.locator('.graphiql-execute-button').click();
    const response = await answered;
    return { request: response.request(), body: await response.json() };
  }

  test('is served with a same-origin-only CSP, and is not served in production', async () => {
    const page = await request(`${subgraph.url}graphiql`, { headers: { 'accept-encoding': 'gzip' } });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-encoding']).toBe('gzip');
    expect(page.headers['content-security-policy']).toBe(GRAPHIQL_CSP);
    expect(GRAPHIQL_CSP).toContain("connect-src 'self'");
    await page.body.dump();

    const production = await startSubgraph(
      { config: { production: true, corsOrigins: [], maxBodyBytes: 1 << 20 }, horizon, logger: silentLogger, auth: NO_CALLER_AUTH },
      { port: 0, host: '127.0.0.1' },
    );
    try {
      const refused = await request(`${production.url}graphiql`);
      expect(refused.statusCode).toBe(404);
      await refused.body.dump();
    } finally {
      await production.stop();
    }
  });

  test('runs a typed query against the emulator with no request leaving loopback', async () => {
    const tab = await openGraphiQL();
    try {
      await setQuery(tab.page, '{ achievementDefinitions { apiName } }', '<untitled>');
      const { request: sent, body } = await run(tab);
      expect(print(parse(JSON.parse(sent.postData() ?? '{}').query))).toBe(print(parse('{ achievementDefinitions { apiName } }')));

      // The emulator's definitions, as Horizon would list them.
      const expected = (await horizon.achievements.listDefinitions({ includeArchived: false })).map((d) => d.apiName);
      expect(expected.length).toBeGreaterThan(2);
      expect(body.errors).toBeUndefined();
      expect(body.data.achievementDefinitions.map((d: { apiName: string }) => d.apiName)).toEqual(expected);

      // ...and the result pane shows them (the first ones: Monaco renders what is in view).
      expect(
        await eventually(
          () => resultText(tab.page),
          (text) => text.includes(`"apiName": "${expected[0]}"`),
        ),
      ).toContain(`"apiName": "${expected[0]}"`);
      expect(await resultText(tab.page)).toContain(`"apiName": "${expected[1]}"`);

      expect(tab.offsite).toEqual([]);
      expect(tab.problems).toEqual([]);
      // Introspection and the operation, both to this subgraph.
      expect(tab.graphql.length).toBeGreaterThanOrEqual(2);
    } finally {
      await tab.context.close();
    }
  });

  test('the editor works offline too: its workers (blob: URLs) flag an unknown field and complete from the schema', async () => {
    const tab = await openGraphiQL();
    try {
      await setQuery(tab.page, '{ nope achievementDefinitions { apiName } }', '<untitled>');
      await tab.page.locator('.graphiql-query-editor .squiggly-error').first().waitFor({ timeout: 10_000 });
      // Completion inside the selection set lists the schema's fields.
      await tab.page.keyboard.press('End');
      for (let i = 0; i < 3; i++) await tab.page.keyboard.press('ArrowLeft');
      await tab.page.keyboard.insertText(' ');
      await tab.page.keyboard.press('Control+Space');
      await tab.page.locator('.suggest-widget .monaco-list-row', { hasText: 'archived' }).first().waitFor({ timeout: 10_000 });
      expect(tab.offsite).toEqual([]);
      expect(tab.problems).toEqual([]);
    } finally {
      await tab.context.close();
    }
  });

  test('sends the x-horizon-user-token and Authorization headers set in the Headers editor', async () => {
    const tab = await openGraphiQL();
    try {
      const player = demoUserId(0);
      const token = demoUserToken(0);
      const { displayName } = await horizon.users.get(player);

      await setQuery(tab.page, 'query Me { viewer { id displayName } }', 'Me');
      await setHeaders(tab.page, { 'x-horizon-user-token': token });
      const first = await run(tab);
      expect(first.request.headers()['x-horizon-user-token']).toBe(token);
      expect(first.body).toEqual({ data: { viewer: { id: player, displayName } } });
      expect(
        await eventually(
          () => resultText(tab.page),
          (text) => text.includes(`"displayName": "${displayName}"`),
        ),
      ).toContain(`"displayName": "${displayName}"`);

      // A gateway-style bearer token goes out as typed, next to the player's token.
      await setHeaders(tab.page, { 'x-horizon-user-token': token, Authorization: 'Bearer graphiql-e2e' });
      const second = await run(tab);
      expect(second.request.headers()['authorization']).toBe('Bearer graphiql-e2e');
      expect(second.request.headers()['x-horizon-user-token']).toBe(token);

      expect(tab.offsite).toEqual([]);
      expect(tab.problems).toEqual([]);
    } finally {
      await tab.context.close();
    }
  });

  test('requests off loopback are refused twice: by the page CSP, and by the guard of this test (which is not vacuous)', async () => {
    const tab = await openGraphiQL();
    try {
      // As if GraphiQL pulled an asset from a CDN: the browser refuses before any network.
      const outcome = await tab.page.evaluate(async () => {
        const violations: string[] = [];
        document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective} ${e.blockedURI}`));
        const fetched = await fetch('https://unpkg.com/graphiql/graphiql.min.css').then(
          () => 'fetched',
          () => 'refused',
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
        return { fetched, violations };
      });
      expect(outcome).toEqual({ fetched: 'refused', violations: ['connect-src https://unpkg.com/graphiql/graphiql.min.css'] });
      expect(tab.offsite).toEqual([]);

      // Without the CSP (a blank page of the same browser context) the guard sees and blocks it.
      const blank = await tab.context.newPage();
      await blank.goto('https://unpkg.com/graphiql/graphiql.min.css').catch(() => undefined);
      expect(tab.offsite).toEqual(['https://unpkg.com/graphiql/graphiql.min.css']);
    } finally {
      await tab.context.close();
    }
  });
});
