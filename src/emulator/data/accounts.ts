/**
 * The emulator's account-linking codes and tokens and its federated users (docs/horizon-api.md,
 * "Accounts"), in Graph's own snake_case shapes. SSO codes are single-use and short-lived.
 */
import { randomBytes } from 'node:crypto';

export interface EmulatedFederatedUser {
  id: string;
  persistent_id: string;
  display_name: string;
  /** `display_name`, or `{display_name}#NNNN` when another federated user had that name first [GUESS]. */
  unique_name: string;
}

/** An SSO authorization code, as the redirect from `auth.oculus.com/sso` carries it. */
export interface SsoGrant {
  userId: string;
  orgScopedId: string;
  /** Unix ms after which the code is refused. */
  expiresAt: number;
}

/** How long an SSO code stays good: undocumented; OAuth codes usually last minutes [GUESS]. */
export const SSO_CODE_TTL_MS = 10 * 60_000;

export class AccountData {
  /** Outstanding SSO codes: code → grant. Deleted on first use, good or bad. */
  readonly ssoCodes = new Map<string, SsoGrant>();
  /** Codes already exchanged, so a second try is told so. */
  readonly usedCodes = new Set<string>();
  /** Refresh codes: refresh code → the player it renews tokens for. They stay good [GUESS]. */
  readonly refreshCodes = new Map<string, { userId: string; orgScopedId: string }>();
  /** Federated users by persistent id. */
  readonly federatedUsers = new Map<string, EmulatedFederatedUser>();
  /** Federated users' access tokens: token → persistent id. */
  readonly federatedTokens = new Map<string, string>();
  /**
   * What issued tokens and codes start with; tests set one no redaction pattern knows, so only
   * code that never lets them out passes the secrets sweep. Default: Horizon's look (`OCA...`).
   */
  issuePrefix: string | undefined = undefined;

  /** A fresh credential: the prefix, then hex (never mistaken for a word by redaction patterns). */
  issue(kind: 'OCA' | 'REFRESH' | 'FRL' | 'CODE'): string {
    const random = randomBytes(24).toString('hex');
    return this.issuePrefix === undefined ? `${kind === 'REFRESH' || kind === 'CODE' ? '' : kind}${random}` : `${this.issuePrefix}${kind}${random}`;
  }

  byId(id: string): EmulatedFederatedUser | undefined {
    for (const user of this.federatedUsers.values()) if (user.id === id) return user;
    return undefined;
  }

  /**
   * The name shown to others: the display name, or `{name}#NNNN` when another user shows that name
   * [GUESS]. A user keeping their display name keeps their unique name, so a repeated rename is a no-op.
   */
  uniqueName(displayName: string, persistentId: string): string {
    const current = this.federatedUsers.get(persistentId);
    if (current?.display_name === displayName) return current.unique_name;
    const others = [...this.federatedUsers.values()].filter((u) => u.persistent_id !== persistentId);
    const taken = (name: string) => others.some((u) => u.unique_name === name);
    if (!taken(displayName)) return displayName;
    for (let n = 1; ; n++) {
      const candidate = `${displayName}#${String(n).padStart(4, '0')}`;
      if (!taken(candidate)) return candidate;
    }
  }

  deleteUser(persistentId: string): void {
    this.federatedUsers.delete(persistentId);
    for (const [token, owner] of this.federatedTokens) if (owner === persistentId) this.federatedTokens.delete(token);
  }
}
