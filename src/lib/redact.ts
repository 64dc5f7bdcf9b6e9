/**
 * Secret redaction for anything that may be printed: URLs, error messages, log lines.
 * Tokens are never put in URLs by this client, but Graph embeds `access_token` in its
 * `paging.next` URLs and may echo parameters in messages, so every printed string goes
 * through here as a second line of defence.
 */

const registered = new Set<string>();

/** Remember a secret value (the app secret, a user token) so it is scrubbed wherever it shows up. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 6) registered.add(value);
}

const PATTERNS: Array<[RegExp, string]> = [
  // access_token=... in query strings and form bodies
  [/(access_token=)[^&\s"']+/gi, '$1[REDACTED]'],
  // App tokens OC|<app id>|<secret>, also URL-encoded (| = %7C)
  [/\bOC(\||%7C)(\d+)(\||%7C)[^\s&"',]+/gi, 'OC$1$2$3[REDACTED]'],
  // User tokens: FRL... / OC... followed by a long alphanumeric run
  [/\b(FRL|OC)[A-Za-z0-9_-]{20,}/g, '$1[REDACTED]'],
  // JWTs (callers' tokens, src/auth): header.payload.signature, base64url
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '[REDACTED JWT]'],
];

// Authorization: Bearer/OAuth <credential>. Prose names the scheme too ("with the Bearer
// scheme", "an OAuth token"), so the word after it is kept when it reads as a word (see ordinaryWord).
const AUTHORIZATION_VALUE = /\b(Bearer|OAuth)(\s+)([^\s"',]+)/gi;

/**
 * An English word, a short acronym or a placeholder, never a credential: letters only with at
 * most a leading capital ("scheme", "Token") and at most 20 of them, 2 to 5 capitals ("JWT"),
 * `<token>`, `$TOKEN`; sentence punctuation may follow. Credentials mix case or carry digits or
 * symbols (token68, JWTs, Horizon tokens), and a JWT or FRL/OC token is caught by its own pattern anyway.
 */
function ordinaryWord(value: string): boolean {
  const word = value.replace(/[.:;!?)\]`]+$/, '');
  return /^[A-Za-z]?[a-z]{1,19}$/.test(word) || /^[A-Z]{2,5}$/.test(word) || /^<[^<>]*>$/.test(word) || /^\$\{?[A-Z_]+\}?$/.test(word);
}

export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of registered) {
    if (out.includes(secret)) out = out.split(secret).join('[REDACTED]');
  }
  out = out.replace(AUTHORIZATION_VALUE, (match, scheme: string, space: string, value: string) =>
    ordinaryWord(value) ? match : `${scheme}${space}[REDACTED]`,
  );
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
