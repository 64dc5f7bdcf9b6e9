/** Webhook metrics, in the subgraph's own Registry (served at `/metrics`). Labels are bounded: outcomes and event types, never ids. */
import { Counter, type Registry } from 'prom-client';
import type { PurchaseEventType } from './events.js';

export type DeliveryOutcome =
  'accepted' | 'signature_missing' | 'signature_mismatch' | 'too_large' | 'malformed' | 'store_unavailable' | 'handshake_ok' | 'handshake_refused';

export class WebhookMetrics {
  private readonly deliveries: Counter<'outcome'>;
  private readonly events: Counter<'type' | 'outcome'>;

  constructor(registry: Registry) {
    this.deliveries = new Counter({
      name: 'horizon_webhook_deliveries_total',
      help: 'Webhook requests from Horizon, by outcome (accepted, refused signature, too large, malformed, store unavailable, verification handshake).',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.events = new Counter({
      name: 'horizon_webhook_events_total',
      help: 'Webhook events by type (OTHER: unknown field or undocumented shape, stored raw) and outcome (recorded, duplicate).',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    });
  }

  delivery(outcome: DeliveryOutcome): void {
    this.deliveries.inc({ outcome });
  }

  event(type: PurchaseEventType, outcome: 'recorded' | 'duplicate'): void {
    this.events.inc({ type, outcome });
  }
}
