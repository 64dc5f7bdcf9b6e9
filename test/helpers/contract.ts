/**
 * What the client contract tests share: an emulator with a Horizon client pointed at it (per
 * test or per file), the HorizonApiError a call failed with, and raw Graph calls that show the
 * wire format the typed client hides.
 */
import { request } from 'undici';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../../src/emulator/index.js';
import type { HorizonClient } from '../../src/horizon/client.js';
import { HorizonApiError } from '../../src/horizon/errors.js';
import type { TransportOptions } from '../../src/horizon/transport.js';
import { clientFor } from './harness.js';

export interface World {
  emulator: RunningEmulator;
  client: HorizonClient;
}

export interface WorldOptions {
  emulator?: EmulatorOptions;
  client?: Partial<TransportOptions>;
}

export async function openWorld(options: WorldOptions = {}): Promise<World> {
  const emulator = await startEmulator({ port: 0, ...options.emulator });
  return { emulator, client: clientFor(emulator, options.client) };
}

export async function closeWorld(world: World): Promise<void> {
  await world.client.close();
  await world.emulator.close();
}

/** A fresh emulator and client for each test, for tests that change state. Read its fields inside tests. */
export function freshWorld(options: WorldOptions = {}): World {
  const world = {} as World;
  beforeEach(async () => Object.assign(world, await openWorld(options)));
  afterEach(() => closeWorld(world));
  return world;
}

/** The failure of a call that must fail with Graph's error envelope. */
export async function apiError(promise: Promise<unknown>): Promise<HorizonApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HorizonApiError) return error;
    throw error;
  }
  throw new Error('expected a HorizonApiError, the call succeeded');
}

/** A request as any Graph client could send it (parameters in the query or a form body), with the app token by default. */
export async function graphCall(
  emulator: RunningEmulator,
  method: 'GET' | 'POST',
  path: string,
  params: Record<string, string>,
  token = `OC|${emulator.appId}|${emulator.appSecret}`,
): Promise<{ status: number; text: string; body: any }> {
  const query = new URLSearchParams(params).toString();
  const response = await request(`${emulator.url}${path}${method === 'GET' && query ? `?${query}` : ''}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: method === 'POST' ? query : undefined,
  });
  const text = await response.body.text();
  return { status: response.statusCode, text, body: JSON.parse(text) };
}
