/** What the users resolvers pass as parents (the mappers of src/graphql/codegen.yml). */

/** What a `User` resolves from: its key. The profile is loaded only when a profile field is asked. */
export interface UserRef {
  id: string;
}
