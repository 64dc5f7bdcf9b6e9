/**
 * The webhook endpoint (docs/webhooks.md): `GET` answers Meta's verification handshake, `POST`
 * takes deliveries. A delivery is acknowledged (200) only once every event in it is recorded;
 * when the store cannot be reached the answer is 503 so Horizon delivers it again, and the
 * events already recorded are then recognised as duplicates.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger.js';
import { readBody } from '../lib/body.js';
import { constantTimeEqual } from '../lib/compare.js';
import { registerSecret } from '../lib/redact.js';
import { sendJson } from '../http/messages.js';
import { envelopeSchema, eventsOf } from './events.js';
import type { DeliveryOutcome, WebhookMetrics } from './metrics.js';
import { checkSignature, SIGNATURE_HEADER } from './signature.js';
import { indexesOf, type WebhookEventStore } from './store.js';

export interface WebhookOptions {
  /** Where the endpoint is served, e.g. `/webhooks/horizon`. */
  path: string;
  /** The token registered with Meta for the handshake; without one every handshake is refused. */
  verifyToken: string | undefined;
  /** `require`: unsigned or wrongly signed deliveries are refused; `off`: signatures are not checked. */
  signature: 'require' | 'off';
  /** The HMAC key (the app secret). */
  secret: string | undefined;
  maxBodyBytes: number;
}

export class WebhookReceiver {
  constructor(
    readonly options: WebhookOptions,
    readonly store: WebhookEventStore,
    private readonly logger: Logger,
    private readonly metrics: WebhookMetrics | undefined,
    private readonly now: () => number = Date.now,
  ) {
    // Scrubbed from any message that might echo them (a URL with the handshake's query, say).
    registerSecret(options.verifyToken);
    registerSecret(options.secret);
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    if (method === 'GET') return this.handshake(res, url);
    if (method === 'POST') return this.deliver(req, res);
    res.writeHead(405, { allow: 'GET, POST' }).end();
  }

  private handshake(res: ServerResponse, url: URL): void {
    const mode = url.searchParams.get('hub.mode');
    const token = url.searchParams.get('hub.verify_token') ?? '';
    const challenge = url.searchParams.get('hub.challenge') ?? '';
    if (mode !== 'subscribe' || !challenge || challenge.length > 1024) {
      this.refuse(res, 400, 'handshake_refused', 'Expected hub.mode=subscribe, hub.verify_token and hub.challenge');
      return;
    }
    const expected = this.options.verifyToken;
    if (!expected || !constantTimeEqual(token, expected)) {
      this.logger.warn({ webhook: 'handshake', configured: Boolean(expected) }, 'webhook verification refused: wrong verify token');
      this.refuse(res, 403, 'handshake_refused', 'The verify token does not match WEBHOOK_VERIFY_TOKEN');
      return;
    }
    this.metrics?.delivery('handshake_ok');
    this.logger.info({ webhook: 'handshake' }, 'webhook subscription verified');
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
    res.end(challenge);
  }

  private async deliver(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, this.options.maxBodyBytes);
    if (body === undefined) {
      this.refuse(res, 413, 'too_large', `Webhook body larger than ${this.options.maxBodyBytes} bytes`);
      return;
    }
    if (this.options.signature === 'require') {
      // Without a secret nothing can be verified: every delivery is refused, never accepted unchecked.
      const check = this.options.secret ? checkSignature(this.options.secret, body, req.headers[SIGNATURE_HEADER]) : 'mismatch';
      if (check !== 'ok') {
        const missing = check === 'missing';
        this.logger.warn({ webhook: 'delivery', signature: check }, 'webhook delivery refused: signature');
        this.refuse(
          res,
          missing ? 401 : 403,
          missing ? 'signature_missing' : 'signature_mismatch',
          missing ? 'Missing X-Hub-Signature-256' : 'Invalid signature',
        );
        return;
      }
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      this.refuse(res, 400, 'malformed', 'The body is not JSON');
      return;
    }
    const envelope = envelopeSchema.safeParse(parsed);
    if (!envelope.success) {
      this.refuse(res, 400, 'malformed', 'The body is not a webhook delivery: expected {"object", "entry": [{"changes": [{"field", "value"}]}]}');
      return;
    }
    const events = eventsOf(envelope.data, this.now());
    let recorded = 0;
    for (const event of events) {
      let seq: number | undefined;
      try {
        seq = await this.store.record(event, indexesOf(event));
      } catch (error) {
        this.logger.error({ webhook: 'delivery', err: error }, 'webhook event store unavailable: delivery refused for Horizon to retry');
        this.metrics?.delivery('store_unavailable');
        res.setHeader('retry-after', '5');
        sendJson(res, 503, { error: 'The event store is unavailable; deliver again later' });
        return;
      }
      if (seq !== undefined) recorded++;
      this.metrics?.event(event.type, seq === undefined ? 'duplicate' : 'recorded');
      // Ids and types only: developer payloads and raw values stay out of logs.
      this.logger.info(
        { webhook: 'event', type: event.type, field: event.field, eventId: event.id, userId: event.userId ?? null, duplicate: seq === undefined },
        seq === undefined ? 'webhook event already recorded' : 'webhook event recorded',
      );
    }
    this.metrics?.delivery('accepted');
    sendJson(res, 200, { received: events.length, recorded });
  }

  private refuse(res: ServerResponse, status: number, outcome: DeliveryOutcome, message: string): void {
    this.metrics?.delivery(outcome);
    sendJson(res, status, { error: message });
  }
}
