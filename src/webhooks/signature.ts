/**
 * Webhook signatures. Horizon does not document its signing header; Meta's webhooks sign the raw
 * body with HMAC-SHA256 keyed by the app secret and send `X-Hub-Signature-256: sha256=<hex>`, so
 * this is what is checked (docs/webhooks.md), in constant time. The emulator signs the same way.
 */
import { createHmac } from 'node:crypto';
import { constantTimeEqual } from '../lib/compare.js';

export const SIGNATURE_HEADER = 'x-hub-signature-256';

export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** `missing`: no usable header; `mismatch`: a signature that is not the body's. */
export function checkSignature(secret: string, body: Buffer, header: string | string[] | undefined): 'ok' | 'missing' | 'mismatch' {
  const given = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!given) return 'missing';
  return constantTimeEqual(given.toLowerCase(), signBody(secret, body)) ? 'ok' : 'mismatch';
}
