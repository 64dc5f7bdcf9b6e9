/** Comparing secrets (the router's shared secret, the webhook verify token and signatures) in constant time. */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Equal-length digests, so neither the content nor the length of the secret leaks through timing. */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a, 'utf8').digest(), createHash('sha256').update(b, 'utf8').digest());
}
