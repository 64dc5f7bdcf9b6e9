/** The demo room. */
import type { EmulatorState } from '../state.js';
import { demoUserId } from './demo.js';

/** The demo room's id (the docs' example room id), so `moderatedRoom(id:)` shows something on demo data. */
export const DEMO_ROOM_ID = '963119010431337';

/** One moderated room on demo data: a lobby owned by the first demo player, with a little state. */
export function seedRooms(state: EmulatorState): void {
  state.rooms.set(DEMO_ROOM_ID, {
    id: DEMO_ROOM_ID,
    max_users: 8,
    owner_id: demoUserId(0),
    name: 'Demo Lobby',
    description: 'A moderated room on the emulator demo data',
    join_policy: 'EVERYONE',
    type: 'MODERATED',
    joinability: 'ARE_IN',
    version: 2,
    is_membership_locked: false,
    data_store: new Map([
      ['map', 'frozen_peaks'],
      ['round', '1'],
    ]),
  });
}
