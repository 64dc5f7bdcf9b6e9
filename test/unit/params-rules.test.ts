/**
 * Edges of the request and response shape helpers, and the guessed-field fallback rule: only Graph's own refusal of a field selection (code 100,
 * "nonexisting field") switches a call to the documented fields, for good. A 5xx, a timeout, a
 * network failure or another code-100 refusal fail as they are and switch nothing, so one bad
 * moment upstream can never cost the guessed fields for the life of the process.
 */
import { HorizonApiError, HorizonNetworkError, HorizonProtocolError, HorizonTimeoutError } from '../../src/horizon/errors.js';
import {
  collectAllPages,
  fieldsParam,
  parseGraphId,
  parseGraphTime,
  readPage,
  withDocumentedFields,
  type FieldChoice,
  type Page,
} from '../../src/horizon/params.js';

const CHOICE: FieldChoice = { name: 'leaderboard', preferred: 'id,api_name,title_locale_map', documented: 'id,api_name' };
const E = 'GET /{app_id}/leaderboards';
const nonexisting = (message = '(#100) Tried accessing nonexisting field (title_locale_map) on node type (Leaderboard)') =>
  new HorizonApiError(E, 400, { message, type: 'OAuthException', code: 100 });

/** A Graph that fails the next calls with `failures` in turn, then answers with the fields it was asked. */
function graph(...failures: Array<() => Error>) {
  const asked: string[] = [];
  const call = async (fields: string) => {
    asked.push(fields);
    const failure = failures.shift();
    if (failure) throw failure();
    return { fields };
  };
  return { asked, call };
}

test('a refused selection is asked again with the documented fields, and those are asked from then on', async () => {
  const refused = new Set<string>();
  const g = graph(() => nonexisting());
  await expect(withDocumentedFields(refused, CHOICE, g.call)).resolves.toEqual({ fields: CHOICE.documented });
  await expect(withDocumentedFields(refused, CHOICE, g.call)).resolves.toEqual({ fields: CHOICE.documented });
  expect(g.asked).toEqual([CHOICE.preferred, CHOICE.documented, CHOICE.documented]);
  expect([...refused]).toEqual([CHOICE.name]);
});

test('the refusal is recognised whatever the case of its wording', async () => {
  const g = graph(() => nonexisting('Tried accessing NONEXISTING FIELD (x)'));
  await expect(withDocumentedFields(new Set(), CHOICE, g.call)).resolves.toEqual({ fields: CHOICE.documented });
});

test('without a refusal the preferred selection is asked, and nothing is remembered', async () => {
  const refused = new Set<string>();
  const g = graph();
  await expect(withDocumentedFields(refused, CHOICE, g.call)).resolves.toEqual({ fields: CHOICE.preferred });
  expect(refused.size).toBe(0);
});

test.each<[string, () => Error]>([
  ['a 5xx', () => new HorizonApiError(E, 500, { message: 'An unexpected error has occurred', code: 2, is_transient: true })],
  ['a 5xx without a body', () => new HorizonApiError(E, 503, undefined)],
  ['a timeout', () => new HorizonTimeoutError(E, 100)],
  ['a network failure', () => new HorizonNetworkError(E, Object.assign(new Error('reset'), { code: 'ECONNRESET' }))],
  ['an unreadable reply', () => new HorizonProtocolError(E, 502, 'body is not JSON')],
  ['another code-100 refusal', () => new HorizonApiError(E, 400, { message: '(#100) Invalid parameter', code: 100 })],
  ['"nonexisting field" under another code', () => new HorizonApiError(E, 400, { message: 'nonexisting field (x)', code: 2500 })],
  ['"nonexisting field" without a code', () => new HorizonApiError(E, 400, { message: 'nonexisting field (x)' })],
  ['a plain error worded like the refusal', () => Object.assign(new Error('nonexisting field (x)'), { code: 100, upstreamMessage: 'nonexisting field (x)' })],
])('%s fails as it is and switches nothing: the next call asks the preferred fields again', async (_label, error) => {
  const refused = new Set<string>();
  const g = graph(error);
  const expected = error();
  await expect(withDocumentedFields(refused, CHOICE, g.call)).rejects.toMatchObject({ name: expected.name, message: expected.message });
  expect(refused.size).toBe(0);
  await expect(withDocumentedFields(refused, CHOICE, g.call)).resolves.toEqual({ fields: CHOICE.preferred });
  expect(g.asked).toEqual([CHOICE.preferred, CHOICE.preferred]);
});

test('a failure of the documented call after a refusal is the caller’s, and the refusal stays remembered', async () => {
  const refused = new Set<string>();
  const g = graph(
    () => nonexisting(),
    () => new HorizonTimeoutError(E, 100),
  );
  await expect(withDocumentedFields(refused, CHOICE, g.call)).rejects.toBeInstanceOf(HorizonTimeoutError);
  expect(refused.has(CHOICE.name)).toBe(true);
});

test('each choice is remembered on its own', async () => {
  const refused = new Set<string>();
  const other: FieldChoice = { name: 'product', preferred: 'sku,billing_plans{term}', documented: 'sku' };
  await withDocumentedFields(refused, CHOICE, graph(() => nonexisting()).call);
  const g = graph();
  await expect(withDocumentedFields(refused, other, g.call)).resolves.toEqual({ fields: other.preferred });
});

describe('edges of the shape helpers', () => {
  const identity = <T>(x: T): T => x;

  test('fieldsParam: nothing selected is an empty selection, at any level', () => {
    expect(fieldsParam([])).toBe('');
    expect(fieldsParam(['id', { user: [] }])).toBe('id,user{}');
    expect(fieldsParam([{}])).toBe('');
  });

  test('readPage: an empty previous link is no previous page, whatever the cursors say', () => {
    expect(readPage({ data: [1], paging: { previous: '', cursors: { before: 'B' } } }, identity).before).toBeUndefined();
  });

  test('readPage: an empty cursor is no cursor', () => {
    const page = readPage(
      {
        data: [1],
        paging: { next: 'https://graph.oculus.com/x?after=Z', previous: 'https://graph.oculus.com/x?before=Y', cursors: { after: '', before: '' } },
      },
      identity,
    );
    expect(page).toMatchObject({ after: undefined, before: undefined });
  });

  test('readPage: a next or previous link that is not a URL, or has no cursor, gives no cursor', () => {
    expect(readPage({ data: [1], paging: { next: 'not a url', previous: '::' } }, identity)).toMatchObject({ after: undefined, before: undefined });
    expect(readPage({ data: [1], paging: { next: 'https://graph.oculus.com/x?limit=2', previous: 'https://graph.oculus.com/x' } }, identity)).toMatchObject({
      after: undefined,
      before: undefined,
    });
  });

  test('readPage: previous alone gives a before cursor and no after; a non-string next is no next', () => {
    expect(readPage({ data: [1], paging: { previous: 'https://graph.oculus.com/x?before=P', cursors: { before: 'B' } } }, identity)).toMatchObject({
      before: 'B',
      after: undefined,
    });
    expect(readPage({ data: [1], paging: { next: 5, cursors: { after: 'A' } } }, identity).after).toBeUndefined();
    expect(readPage({ data: [1], paging: { previous: 5, cursors: { before: 'B' } } }, identity).before).toBeUndefined();
  });

  test('readPage: items are mapped in order; a total of "0" is 0; no summary is no total', () => {
    expect(readPage({ data: [{ n: 2 }, { n: 1 }], summary: { total_count: '0' } }, (raw: { n: number }) => raw.n)).toEqual({
      items: [2, 1],
      after: undefined,
      before: undefined,
      totalCount: 0,
    });
    expect(readPage({ data: [], summary: {} }, identity).totalCount).toBeUndefined();
  });

  test('readPage: the refusal says what is missing', () => {
    expect(() => readPage({ data: 'x' }, identity)).toThrow(new TypeError('collection response has no data array'));
  });

  test('collectAllPages: no page is fetched when none is allowed; a page without a cursor ends it', async () => {
    const fetcher = jest.fn(async (): Promise<Page<number>> => ({ items: [1], after: 'next', before: undefined, totalCount: undefined }));
    expect(await collectAllPages(fetcher, 0)).toEqual([]);
    expect(fetcher).not.toHaveBeenCalled();
    const last = jest.fn(async (): Promise<Page<number>> => ({ items: [1, 2], after: undefined, before: 'b', totalCount: 2 }));
    expect(await collectAllPages(last)).toEqual([1, 2]);
    expect(last).toHaveBeenCalledTimes(1);
  });

  test('collectAllPages: fifty pages by default', async () => {
    let n = 0;
    const fetcher = jest.fn(async (): Promise<Page<number>> => ({ items: [++n], after: `c${n}`, before: undefined, totalCount: undefined }));
    expect(await collectAllPages(fetcher)).toHaveLength(50);
  });

  test('parseGraphTime: a negative count of seconds is never; a millisecond-less ISO date with an offset is read', () => {
    expect(parseGraphTime(-5)).toBeNull();
    expect(parseGraphTime(1)).toEqual(new Date(1_000));
    expect(parseGraphTime('2021-03-09T13:04:20.250+0200')?.toISOString()).toBe('2021-03-09T11:04:20.250Z');
    expect(parseGraphTime(Number.NaN)).toBeNull();
    expect(parseGraphTime(['1760000000'])).toBeNull();
    expect(parseGraphTime('+002021-03-09T13:04:20+0000')?.toISOString()).toBe('2021-03-09T13:04:20.000Z');
  });

  test('parseGraphId: 0 and the largest exact number are ids; the refusals say why', () => {
    expect(parseGraphId(0)).toBe('0');
    expect(parseGraphId(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
    expect(parseGraphId('')).toBe('');
    expect(() => parseGraphId(Number.MAX_SAFE_INTEGER + 1)).toThrow(new TypeError('response id is a number too large to be exact'));
    expect(() => parseGraphId(undefined)).toThrow(new TypeError('response object has no id'));
    expect(() => parseGraphId(true)).toThrow(new TypeError('response object has no id'));
  });
});
