/** Moderated rooms (reference §5; deprecated by Meta). */
import type { HorizonTransport } from './transport.js';

export class RoomsApi {
  constructor(private readonly transport: HorizonTransport) {}
}
