/**
 * Webhook signatures. Horizon does not document its signing header; Meta's webhooks sign the raw
 * body with HMAC-SHA256 keyed by the app secret and send `X-Hub-Signature-256: sha256=<hex>`, so
 * this is what is checked (docs/webhooks.md), in constant time. The emulator signs the same way.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hub-signature-256';

export function signBody(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** `missing`: no usable header; `mismatch`: a signature that is not the body's. */
export function checkSignature(secret: string, body: Buffer, header: string | string[] | undefined): 'ok' | 'missing' | 'mismatch' {
  const given = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!given) return 'missing';
  const expected = Buffer.from(signBody(secret, body));
  const actual = Buffer.from(given.toLowerCase());
  // timingSafeEqual needs equal lengths; a length mismatch reveals nothing about the secret.
  return actual.length === expected.length && timingSafeEqual(actual, expected) ? 'ok' : 'mismatch';
}

/** Constant-time comparison of two short texts (the verify token). */
export function sameText(a: string, b: string): boolean {
  const x = createHmac('sha256', 'compare').update(a).digest();
  const y = createHmac('sha256', 'compare').update(b).digest();
  return timingSafeEqual(x, y);
}
