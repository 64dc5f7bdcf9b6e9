/** The emulator's catalog, entitlements, purchases and subscriptions, in Graph's shapes. */
export class CommerceData {}
