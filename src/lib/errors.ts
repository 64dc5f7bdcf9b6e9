/**
 * An argument refused before anything is done with it: by the Horizon client before a byte is
 * sent, by resolvers before any upstream call, by the ledger. GraphQL reports it as
 * BAD_USER_INPUT naming `argument` (src/graphql/errors.ts).
 */
export class InvalidArgumentError extends Error {
  override readonly name = 'InvalidArgumentError';
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(message);
  }
}
