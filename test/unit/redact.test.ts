/** Secret redaction: every printed string goes through `redactSecrets`. */
import { redactSecrets, registerSecret } from '../../src/lib/redact.js';

const SECRET = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';

describe('redactSecrets', () => {
  test('access_token= in a query string, keeping the rest of the URL', () => {
    const out = redactSecrets(`https://graph.oculus.com/123/viewer_purchases?access_token=OC|123|${SECRET}&after=QVFI`);
    expect(out).not.toContain(SECRET);
    expect(out).toContain('access_token=[REDACTED]');
    expect(out).toContain('&after=QVFI');
  });

  test('access_token= is matched case-insensitively and in form bodies', () => {
    const out = redactSecrets(`user_id=1&ACCESS_TOKEN=FRLsomething&sku=x`);
    expect(out).toBe('user_id=1&ACCESS_TOKEN=[REDACTED]&sku=x');
  });

  test('Bearer and OAuth authorization values', () => {
    expect(redactSecrets('Authorization: Bearer abcdef.123')).toBe('Authorization: Bearer [REDACTED]');
    expect(redactSecrets('authorization: OAuth tok_en-1, next')).toBe('authorization: OAuth [REDACTED], next');
    expect(redactSecrets(`Bearer OC|99|${SECRET}`)).not.toContain(SECRET);
  });

  test('the scheme named in prose is not a credential: the word after it is kept', () => {
    const prose = [
      "No caller token: send the caller's JWT in the Authorization header, with the Bearer scheme",
      'The Authorization header does not hold a caller JWT with the Bearer scheme (Query.user needs an authenticated caller)',
      'send it as `Authorization: Bearer <token>` or -H "authorization: Bearer $TOKEN"',
      'an OAuth token, a bearer Token, the Bearer JWT.',
    ];
    for (const text of prose) expect(redactSecrets(text)).toBe(text);
  });

  test('credentials after the scheme are redacted whatever their shape or the case of the scheme', () => {
    for (const credential of ['abcdef.123', 'AbCdEfGhIjKlMn', 'sk_live_4eC39HqLyjWDarjtT1', 'a1', 'mF_9.B5f-4.1JqM', 'x'.repeat(21), 'tok|en']) {
      expect(redactSecrets(`authorization: bearer ${credential}`)).toBe('authorization: bearer [REDACTED]');
      expect(redactSecrets(`Authorization: Bearer ${credential}.`)).not.toContain(credential);
    }
  });

  test('app tokens OC|id|secret, plain and URL-encoded', () => {
    expect(redactSecrets(`token was OC|1234567898014273|${SECRET} here`)).toBe('token was OC|1234567898014273|[REDACTED] here');
    const encoded = redactSecrets(`https://x/?t=OC%7C1234%7C${SECRET}&y=1`);
    expect(encoded).not.toContain(SECRET);
    expect(encoded).toContain('OC%7C1234%7C[REDACTED]');
    expect(encoded).toContain('&y=1');
    expect(redactSecrets(`oc%7c1234%7c${SECRET}`)).not.toContain(SECRET);
  });

  test('FRL and OC user tokens (long alphanumeric runs)', () => {
    const frl = 'FRLDEMO3559884437424131EMULATORUSERTOKEN';
    expect(redactSecrets(`invalid token ${frl}.`)).toBe('invalid token FRL[REDACTED].');
    const oca = 'OCAeZxqwertyuiopasdfghjkl1234567890';
    expect(redactSecrets(`{"oauth_token":"${oca}"}`)).toBe('{"oauth_token":"OC[REDACTED]"}');
  });

  test('short FRL/OC words are left alone', () => {
    expect(redactSecrets('OCApiException FRL code 190')).toBe('OCApiException FRL code 190');
  });

  test('registered secrets are scrubbed wherever they appear, every occurrence', () => {
    const secret = 'zq-registered-secret-value-77';
    expect(redactSecrets(`x ${secret} y`)).toContain(secret);
    registerSecret(secret);
    const out = redactSecrets(`x ${secret} y ${secret}`);
    expect(out).toBe('x [REDACTED] y [REDACTED]');
  });

  test('registered secrets with regex metacharacters are matched literally', () => {
    const secret = 'a.b*c+d?(e)[f]';
    registerSecret(secret);
    expect(redactSecrets(`see ${secret}!`)).toBe('see [REDACTED]!');
    expect(redactSecrets('see aXbbbcdde!')).toBe('see aXbbbcdde!');
  });

  test('registerSecret ignores empty and very short values (no over-redaction)', () => {
    registerSecret(undefined);
    registerSecret('');
    registerSecret('ab');
    expect(redactSecrets('ab abc')).toBe('ab abc');
  });

  test('text without secrets is unchanged', () => {
    const text = 'Horizon API GET /{user_id} failed (HTTP 400, code 100): invalid user id: 42';
    expect(redactSecrets(text)).toBe(text);
  });
});
