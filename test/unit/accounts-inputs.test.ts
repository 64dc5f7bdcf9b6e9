/** The accounts client's input checks and the multipart encoding of uploads: pure logic, no network. */
import { assertDisplayName, assertPersistentId, assertSsoCode } from '../../src/horizon/accounts.js';
import { encodeRequest } from '../../src/horizon/encode.js';
import { InvalidArgumentError } from '../../src/lib/errors.js';
import { AccountData } from '../../src/emulator/data/accounts.js';

describe('display names: 3-30 characters, counted in code points', () => {
  test.each([['abc'], ['x'.repeat(30)], ['🎮🎮🎮'], ['é'.repeat(30)], ['名前です'], ['a b'], ['tab\there']])('%j passes', (name) => {
    expect(assertDisplayName('displayName', name)).toBe(name);
  });
  test.each([[''], ['ab'], ['x'.repeat(31)], ['🎮'.repeat(31)], ['ab\ud800'], ['\udfffabc']])('%j is refused', (name) => {
    expect(() => assertDisplayName('displayName', name)).toThrow(InvalidArgumentError);
  });
  test('the message says the bounds and the length given', () => {
    expect(() => assertDisplayName('displayName', 'ab')).toThrow('displayName must be 3-30 characters long (got 2)');
  });
});

test('persistent ids: 1-256 printable characters', () => {
  for (const ok of ['a', 'steam:76561198000000001', 'x'.repeat(256), 'psn/with/slashes?and=query']) expect(assertPersistentId('p', ok)).toBe(ok);
  for (const bad of ['', 'x'.repeat(257), 'line\nbreak', 'nul\u0000']) expect(() => assertPersistentId('p', bad)).toThrow(InvalidArgumentError);
});

test('SSO codes: printable ASCII without spaces, at most 4096', () => {
  for (const ok of ['a', 'AQD-x_y.z~=', 'x'.repeat(4096)]) expect(assertSsoCode('code', ok)).toBe(ok);
  for (const bad of ['', 'with space', 'x'.repeat(4097), 'é', 'tab\t']) expect(() => assertSsoCode('code', bad)).toThrow(InvalidArgumentError);
});

describe('encodeRequest', () => {
  const app = 'OC|1|secret';
  test('a POST with files is multipart: the parameters and each file, the token in the header only', async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const encoded = await encodeRequest(
      {
        method: 'POST',
        path: '/1/achievement_definitions',
        endpoint: 'x',
        params: { api_name: 'A B', skip: undefined },
        files: { locked_image_file: { bytes, type: 'image/png', filename: 'l.png' } },
      },
      '/base',
      { kind: 'app' },
      app,
    );
    expect(encoded.path).toBe('/base/1/achievement_definitions');
    expect(encoded.headers.authorization).toBe(`Bearer ${app}`);
    expect(encoded.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const form = await new Response(new Uint8Array(encoded.body as Buffer), { headers: { 'content-type': encoded.headers['content-type']! } }).formData();
    expect(form.get('api_name')).toBe('A B');
    expect(form.has('skip')).toBe(false);
    const file = form.get('locked_image_file') as File;
    expect(file.type).toBe('image/png');
    expect(Buffer.from(await file.arrayBuffer())).toEqual(bytes);
    expect(String(encoded.body)).not.toContain('secret');
  });

  test('a POST without files stays a form body; a DELETE puts its parameters in the query', async () => {
    const form = await encodeRequest({ method: 'POST', path: '/x', endpoint: 'x', params: { a: 1 } }, '', { kind: 'user', token: 'FRLt' }, app);
    expect(form).toMatchObject({ body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer FRLt' } });
    const del = await encodeRequest({ method: 'DELETE', path: '/1/federated_user', endpoint: 'x', params: { persistent_id: 'a:b' } }, '', { kind: 'app' }, app);
    expect(del).toMatchObject({ path: '/1/federated_user?persistent_id=a%3Ab', body: undefined });
  });
});

test("the emulator's unique names: the display name, else #0001, #0002 ... for later holders", () => {
  const data = new AccountData();
  const add = (p: string, name: string) => data.federatedUsers.set(p, { id: p, persistent_id: p, display_name: name, unique_name: data.uniqueName(name, p) });
  add('a', 'Kai');
  add('b', 'Kai');
  add('c', 'Kai');
  expect([...data.federatedUsers.values()].map((u) => u.unique_name)).toEqual(['Kai', 'Kai#0001', 'Kai#0002']);
  // Setting the same name again keeps the unique name (a resent rename changes nothing).
  expect(data.uniqueName('Kai', 'b')).toBe('Kai#0001');
  expect(data.uniqueName('Mira', 'a')).toBe('Mira');
  // Once 'a' is renamed away, its old name is free again.
  data.federatedUsers.set('a', { ...data.federatedUsers.get('a')!, display_name: 'Mira', unique_name: 'Mira' });
  expect(data.uniqueName('Kai', 'd')).toBe('Kai');
});
