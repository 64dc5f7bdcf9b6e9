/** What every domain's loader factory is given for one request. */
export interface LoaderOptions {
  /** Aborted when the caller goes away; reads stop, writes never take it. */
  signal?: AbortSignal;
  /** The calling player's user access token, when the gateway forwarded one. Never log it. */
  userToken?: string;
}
