/** Resolvers for leaderboards and their entries. */
export const leaderboardResolvers = {};
