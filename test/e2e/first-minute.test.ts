/**
 * A newcomer's first minute, in a real browser (Debian's chromium via playwright-core) with
 * no internet: `npm start`'s app in demo mode, every request off loopback refused. `GET /`
 * cannot load Apollo Sandbox from Apollo's CDN, so the page says so, throws nothing, and links
 * to the offline GraphiQL; GraphiQL opens with the demo token in its headers and an operation,
 * and one click on run answers it from the emulator.
 * Skipped (with the reason printed at start-up) when chromium is missing, except under
 * REQUIRE_CHROMIUM=1 (`.ci/run`), where a missing chromium fails the run.
 */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startApp, type RunningApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { demoUserToken } from '../../src/emulator/index.js';
import { chromiumPath, describeWithChromium } from '../helpers/chromium.js';
import { silentLogger } from '../helpers/harness.js';

jest.setTimeout(90_000);

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const SANDBOX_CDN = 'embeddable-sandbox.cdn.apollographql.com';

interface Tab {
  page: Page;
  context: BrowserContext;
  /** Requests that tried to leave loopback (refused, as with no network). */
  offsite: string[];
  /** Uncaught exceptions of the page. */
  pageErrors: string[];
}

describeWithChromium('the first minute, offline, in chromium', () => {
  let app: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startApp(loadConfig({ PORT: '0', HOST: '127.0.0.1', EMULATOR_PORT: '0', LOG_LEVEL: 'silent' }), silentLogger);
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** A tab with the network blocked: only loopback answers, unless `sandboxScript` stands in for Apollo's CDN. */
  async function offlineTab(sandboxScript?: string): Promise<Tab> {
    const context = await browser.newContext();
    const offsite: string[] = [];
    const pageErrors: string[] = [];
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if ((url.protocol === 'http:' || url.protocol === 'https:') && !LOOPBACK.has(url.hostname)) {
        if (sandboxScript && url.hostname === SANDBOX_CDN) {
          await route.fulfill({ status: 200, contentType: 'application/javascript', body: sandboxScript });
          return;
        }
        offsite.push(url.href);
        await route.abort('internetdisconnected');
        return;
      }
      await route.continue();
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    return { page, context, offsite, pageErrors };
  }

  test('GET / without internet: no JavaScript error, and the page leads to the offline GraphiQL', async () => {
    const tab = await offlineTab();
    try {
      const response = await tab.page.goto(app.subgraph.url, { waitUntil: 'load' });
      expect(response?.status()).toBe(200);
      const link = tab.page.locator('#offline-graphiql a');
      await link.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await tab.page.locator('.fallback').evaluate((e) => getComputedStyle(e).opacity)).toBe('1');
      expect(await tab.page.locator('.fallback').innerText()).toContain('Apollo Sandbox cannot be loaded');
      expect(await link.innerText()).toBe('Open the offline GraphiQL at /graphiql');
      // Sandbox's script was asked for, and refused as with no network.
      expect(tab.offsite.some((url) => new URL(url).hostname === SANDBOX_CDN)).toBe(true);
      expect(tab.pageErrors).toEqual([]);

      await link.click();
      await tab.page.waitForURL(`${app.subgraph.url}graphiql`);
      await tab.page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
      expect(tab.pageErrors).toEqual([]);
    } finally {
      await tab.context.close();
    }
  });

  test('at /graphql too the link resolves to /graphiql', async () => {
    const tab = await offlineTab();
    try {
      await tab.page.goto(`${app.subgraph.url}graphql`, { waitUntil: 'load' });
      const href = await tab.page.locator('#offline-graphiql a').evaluate((a) => (a as HTMLAnchorElement).href);
      expect(href).toBe(`${app.subgraph.url}graphiql`);
    } finally {
      await tab.context.close();
    }
  });

  test('when Sandbox does load, it is started as Apollo Server configures it (the fallback is not forced)', async () => {
    const stub = `window.EmbeddedSandbox = function (config) { window.__sandboxConfig = config; };`;
    const tab = await offlineTab(stub);
    try {
      await tab.page.goto(app.subgraph.url, { waitUntil: 'load' });
      const config = await tab.page.evaluate(() => (window as unknown as { __sandboxConfig?: { initialEndpoint: string; target: string } }).__sandboxConfig);
      expect(config).toMatchObject({ initialEndpoint: app.subgraph.url, target: '#embeddableSandbox' });
      expect(await tab.page.locator('.fallback').evaluate((e) => (e as HTMLElement).style.animation)).toBe('');
      expect(await tab.page.locator('#embeddableSandbox').count()).toBe(1);
      expect(tab.pageErrors).toEqual([]);
    } finally {
      await tab.context.close();
    }
  });

  test('GraphiQL opens with the demo token and an operation: one click runs it', async () => {
    const tab = await offlineTab();
    try {
      await tab.page.goto(`${app.subgraph.url}graphiql`);
      await tab.page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
      await tab.page.locator('.graphiql-tab-active', { hasText: 'Player' }).waitFor({ timeout: 10_000 });
      const headersShown = await tab.page.locator('section[aria-label="Headers"] .graphiql-editor:not(.hidden) .view-lines').innerText();
      expect(headersShown.replace(/\s+/g, ' ')).toContain('"Authorization": "Bearer eyJ');

      const answered = tab.page.waitForResponse(
        (r) => new URL(r.url()).pathname === '/graphql' && r.request().method() === 'POST' && !String(r.request().postData()).includes('IntrospectionQuery'),
      );
      await tab.page.locator('.graphiql-execute-button').click();
      const response = await answered;
      expect(response.request().headers()['authorization']).toBe(`Bearer ${app.devToken}`);
      expect(response.request().headers()['x-horizon-user-token']).toBe(demoUserToken(0));
      const body = await response.json();
      expect(body.errors).toBeUndefined();
      expect(body.data.viewer.displayName).toBe('Nova Rider');
      expect(body.data.user.displayName).toBe('Nova Rider');
      expect(body.data.user.achievements.length).toBeGreaterThan(3);

      const result = tab.page.locator('section[aria-label="Result Window"] .view-lines');
      await result.filter({ hasText: 'Nova Rider' }).waitFor({ timeout: 10_000 });
      expect(tab.offsite).toEqual([]);
      expect(tab.pageErrors).toEqual([]);
    } finally {
      await tab.context.close();
    }
  });
});
