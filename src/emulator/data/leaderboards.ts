/** The emulator's leaderboards and their entries, in Graph's (snake_case) shapes. */
export class LeaderboardData {}
