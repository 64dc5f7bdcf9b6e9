/** The ledger's refusals, each with the code GraphQL reports (src/graphql/errors.ts); apart so the stores raise them without importing the ledger. */
export type IdempotencyErrorCode = 'IDEMPOTENCY_KEY_REUSED' | 'IDEMPOTENCY_KEY_IN_PROGRESS' | 'WRITE_OUTCOME_UNKNOWN' | 'IDEMPOTENCY_LEDGER_UNAVAILABLE';

export class IdempotencyError extends Error {
  override readonly name = 'IdempotencyError';
  constructor(
    readonly code: IdempotencyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
