/** Request and response shape helpers: `fields=`, JSON-array params, cursor paging, Graph scalars. */
import { HorizonApiError, type GraphErrorBody } from '../../src/horizon/errors.js';
import {
  collectAllPages,
  fieldsParam,
  jsonArrayParam,
  parseGraphId,
  parseGraphInt,
  parseGraphTime,
  readPage,
  withGuessedFields,
  withParamSpelling,
  withDocumentedFields,
  withFieldFallbacks,
  type Page,
} from '../../src/horizon/params.js';

const identity = <T>(x: T): T => x;

describe('fieldsParam', () => {
  test('flat list joins with commas', () => {
    expect(fieldsParam(['id', 'alias', 'display_name'])).toBe('id,alias,display_name');
  });

  test('nested selections use braces, recursively', () => {
    expect(fieldsParam(['id', { definition: ['api_name', 'target'] }, 'is_unlocked'])).toBe('id,definition{api_name,target},is_unlocked');
    expect(fieldsParam([{ user: ['id', { avatar_v2: [{ avatar_image: ['uri'] }] }] }])).toBe('user{id,avatar_v2{avatar_image{uri}}}');
  });

  test('several nested fields in one object keep their order', () => {
    expect(fieldsParam([{ item: ['sku'], owner: ['id'] }])).toBe('item{sku},owner{id}');
  });
});

describe('jsonArrayParam', () => {
  test('writes a JSON array string', () => {
    expect(jsonArrayParam(['A', 'B'])).toBe('["A","B"]');
    expect(jsonArrayParam([])).toBe('[]');
  });

  test('escapes quotes so the value stays one JSON array', () => {
    const value = jsonArrayParam(['a"b', 'c\\d']);
    expect(JSON.parse(value)).toEqual(['a"b', 'c\\d']);
  });
});

describe('readPage', () => {
  test('no paging at all: last page, items mapped', () => {
    const page = readPage({ data: [{ n: 1 }, { n: 2 }] }, (raw: { n: number }) => raw.n * 10);
    expect(page).toEqual({ items: [10, 20], after: undefined, before: undefined, totalCount: undefined });
  });

  test('cursors without paging.next: no after (stop when next no longer appears)', () => {
    const page = readPage({ data: [1], paging: { cursors: { before: 'QVFIb', after: 'QVFIa' } } }, identity);
    expect(page.after).toBeUndefined();
  });

  test('next and cursors: after is cursors.after', () => {
    const page = readPage(
      { data: [1], paging: { cursors: { before: 'B1', after: 'A1' }, next: 'https://graph.oculus.com/1/x?after=OTHER&access_token=OC|1|s' } },
      identity,
    );
    expect(page.after).toBe('A1');
  });

  test('next without cursors: after comes from the next URL query', () => {
    const page = readPage({ data: [1, 2], paging: { next: 'https://graph.oculus.com/123/achievements?limit=2&after=QVFIOjE%3D&fields=id' } }, identity);
    expect(page.after).toBe('QVFIOjE=');
  });

  test('previous without cursors: before comes from the previous URL query', () => {
    const page = readPage({ data: [1], paging: { previous: 'https://graph.oculus.com/x?before=PREV' } }, identity);
    expect(page.before).toBe('PREV');
    expect(page.after).toBeUndefined();
  });

  test('empty next string is treated as absent', () => {
    const page = readPage({ data: [1], paging: { next: '', cursors: { after: 'A' } } }, identity);
    expect(page.after).toBeUndefined();
  });

  test('summary.total_count as number or string', () => {
    expect(readPage({ data: [], summary: { total_count: 45 } }, identity).totalCount).toBe(45);
    expect(readPage({ data: [], summary: { total_count: '45' } }, identity).totalCount).toBe(45);
  });

  test('missing or non-array data throws', () => {
    expect(() => readPage({}, identity)).toThrow(TypeError);
    expect(() => readPage({ data: { a: 1 } }, identity)).toThrow(TypeError);
    expect(() => readPage(null, identity)).toThrow(TypeError);
  });
});

describe('collectAllPages', () => {
  test('follows after cursors until the last page', async () => {
    const pages: Record<string, Page<number>> = {
      start: { items: [1, 2], after: 'c1', before: undefined, totalCount: undefined },
      c1: { items: [3, 4], after: 'c2', before: undefined, totalCount: undefined },
      c2: { items: [5], after: undefined, before: undefined, totalCount: undefined },
    };
    const seen: Array<string | undefined> = [];
    const items = await collectAllPages(async (after) => {
      seen.push(after);
      return pages[after ?? 'start']!;
    });
    expect(items).toEqual([1, 2, 3, 4, 5]);
    expect(seen).toEqual([undefined, 'c1', 'c2']);
  });

  test('stops when the server hands back the cursor it was just given', async () => {
    const fetcher = jest.fn(async (_after: string | undefined): Promise<Page<number>> => ({
      items: [1],
      after: 'SAME',
      before: undefined,
      totalCount: undefined,
    }));
    const items = await collectAllPages(fetcher, 50);
    expect(fetcher).toHaveBeenCalledTimes(2);
    expect(items).toEqual([1, 1]);
  });

  test('stops on an empty page even when a cursor is given', async () => {
    let n = 0;
    const fetcher = jest.fn(async (): Promise<Page<number>> => ({ items: [], after: `c${++n}`, before: undefined, totalCount: undefined }));
    expect(await collectAllPages(fetcher, 50)).toEqual([]);
    expect(fetcher).toHaveBeenCalledTimes(1);
  });

  test('is bounded by maxPages when the server never stops paging', async () => {
    let n = 0;
    const fetcher = jest.fn(async (): Promise<Page<number>> => {
      n++;
      return { items: [n], after: `cursor-${n}`, before: undefined, totalCount: undefined };
    });
    const items = await collectAllPages(fetcher, 7);
    expect(fetcher).toHaveBeenCalledTimes(7);
    expect(items).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  test('default bound is finite', async () => {
    let n = 0;
    const fetcher = jest.fn(async (): Promise<Page<number>> => ({ items: [++n], after: `c${n}`, before: undefined, totalCount: undefined }));
    await collectAllPages(fetcher);
    expect(fetcher.mock.calls.length).toBeGreaterThan(1);
    expect(fetcher.mock.calls.length).toBeLessThanOrEqual(1000);
  });
});

describe('parseGraphTime', () => {
  test('unix seconds as number and as string', () => {
    expect(parseGraphTime(1_760_000_000)).toEqual(new Date(1_760_000_000_000));
    expect(parseGraphTime('1760000000')).toEqual(new Date(1_760_000_000_000));
  });

  test('0, "0", empty, null and undefined mean never', () => {
    expect(parseGraphTime(0)).toBeNull();
    expect(parseGraphTime('0')).toBeNull();
    expect(parseGraphTime('')).toBeNull();
    expect(parseGraphTime(null)).toBeNull();
    expect(parseGraphTime(undefined)).toBeNull();
  });

  test("Graph's ISO form with a colon-less offset", () => {
    expect(parseGraphTime('2021-03-09T13:04:20+0000')?.toISOString()).toBe('2021-03-09T13:04:20.000Z');
    expect(parseGraphTime('2021-03-09T13:04:20+0130')?.toISOString()).toBe('2021-03-09T11:34:20.000Z');
    expect(parseGraphTime('2021-03-09T13:04:20-0500')?.toISOString()).toBe('2021-03-09T18:04:20.000Z');
  });

  test('standard ISO strings too', () => {
    expect(parseGraphTime('2021-03-09T13:04:20Z')?.toISOString()).toBe('2021-03-09T13:04:20.000Z');
  });

  test('junk is null', () => {
    expect(parseGraphTime('not a date')).toBeNull();
    expect(parseGraphTime({})).toBeNull();
    expect(parseGraphTime(true)).toBeNull();
  });
});

describe('parseGraphInt', () => {
  test('numbers and numeric strings', () => {
    expect(parseGraphInt(42)).toBe(42);
    expect(parseGraphInt('42')).toBe(42);
    expect(parseGraphInt('-7')).toBe(-7);
    expect(parseGraphInt(3.9)).toBe(3);
  });

  test('anything else is undefined', () => {
    expect(parseGraphInt('4.2')).toBeUndefined();
    expect(parseGraphInt('12abc')).toBeUndefined();
    expect(parseGraphInt('')).toBeUndefined();
    expect(parseGraphInt(NaN)).toBeUndefined();
    expect(parseGraphInt(Infinity)).toBeUndefined();
    expect(parseGraphInt(null)).toBeUndefined();
    expect(parseGraphInt(undefined)).toBeUndefined();
  });
});

describe('parseGraphId', () => {
  test('strings pass through unchanged (64-bit ids stay exact)', () => {
    expect(parseGraphId('18446744073709551615')).toBe('18446744073709551615');
  });

  test('numbers and bigints become decimal strings', () => {
    expect(parseGraphId(963119010431337)).toBe('963119010431337');
    expect(parseGraphId(12345678901234567890n)).toBe('12345678901234567890');
  });

  test('a number past 2^53 has lost digits: refused, never turned into another id', () => {
    // JSON.parse reads 9007199254740993 as 9007199254740992.
    expect(() => parseGraphId(JSON.parse('9007199254740993'))).toThrow(/too large to be exact/);
    expect(() => parseGraphId(-1)).toThrow(TypeError);
    expect(() => parseGraphId(1.5)).toThrow(TypeError);
  });

  test('missing id throws', () => {
    expect(() => parseGraphId(undefined)).toThrow(TypeError);
    expect(() => parseGraphId(null)).toThrow(TypeError);
    expect(() => parseGraphId({})).toThrow(TypeError);
  });
});

const graphError = (body: GraphErrorBody) => new HorizonApiError('GET /x', 400, body);

describe('withGuessedFields', () => {
  const guesses = [
    { name: 'a', field: 'alpha' },
    { name: 'b', field: 'beta' },
  ];
  const select = (asked: ReadonlySet<string>) => ['id', ...[...asked].sort()].join(',');

  test('drops only the guess Graph names, remembers it, and tells the call what it asked', async () => {
    const refused = new Set<string>();
    const sent: string[] = [];
    const result = await withGuessedFields(refused, guesses, select, async (fields, asked) => {
      sent.push(fields);
      if (asked.has('b')) throw graphError({ code: 100, message: '(#100) Tried accessing nonexisting field (beta) on node type (X)' });
      return [...asked];
    });
    expect(result).toEqual(['a']);
    expect(sent).toEqual(['id,a,b', 'id,a']);
    expect([...refused]).toEqual(['b']);
  });

  test('a refusal naming none of the guesses drops them all; other errors pass through untouched', async () => {
    const refused = new Set<string>();
    const sent: string[] = [];
    await withGuessedFields(refused, guesses, select, async (fields, asked) => {
      sent.push(fields);
      if (asked.size > 0) throw graphError({ code: 100, message: 'nonexisting field' });
    });
    expect(sent).toEqual(['id,a,b', 'id']);
    expect([...refused].sort()).toEqual(['a', 'b']);
    const other = graphError({ code: 100, message: 'Parameter user_ids: invalid user id: 1' });
    await expect(withGuessedFields(new Set(), guesses, select, () => Promise.reject(other))).rejects.toBe(other);
  });
});

describe('withParamSpelling', () => {
  const refusal = graphError({ code: 100, message: '(#100) Param p must be one of A' });

  test('the first spelling until refused; then each other once; the one taken is remembered, the default remembered by forgetting', async () => {
    const refused = new Set<string>();
    let takes = ['C'];
    const sent: string[] = [];
    const call = async (s: 'A' | 'B' | 'C') => {
      sent.push(s);
      if (!takes.includes(s)) throw refusal;
      return s;
    };
    expect(await withParamSpelling(refused, 'p', ['A', 'B', 'C'], () => true, call)).toBe('C');
    expect(sent).toEqual(['A', 'B', 'C']);
    expect([...refused]).toEqual(['p=C']);
    takes = ['A'];
    sent.length = 0;
    expect(await withParamSpelling(refused, 'p', ['A', 'B', 'C'], () => true, call)).toBe('A');
    expect(sent).toEqual(['C', 'A']);
    expect([...refused]).toEqual([]);
  });

  test('every spelling refused: the first refusal is thrown and nothing remembered; a refusal it rules out is not retried', async () => {
    const refused = new Set<string>();
    const sent: string[] = [];
    const call = async (s: string) => {
      sent.push(s);
      throw graphError({ code: 100, message: `refused ${s}` });
    };
    await expect(withParamSpelling(refused, 'p', ['A', 'B'], () => true, call)).rejects.toMatchObject({ upstreamMessage: 'refused A' });
    expect(refused.size).toBe(0);
    sent.length = 0;
    await expect(withParamSpelling(refused, 'p', ['A', 'B'], () => false, call)).rejects.toMatchObject({ upstreamMessage: 'refused A' });
    expect(sent).toEqual(['A']);
  });

  test('the other spelling failing for another reason (12074) counts as taken', async () => {
    const refused = new Set<string>();
    const notRanked = graphError({ code: 12074, message: "You're not yet ranked on this leaderboard." });
    await expect(
      withParamSpelling(
        refused,
        'p',
        ['A', 'B'],
        () => true,
        async (s) => Promise.reject(s === 'A' ? refusal : notRanked),
      ),
    ).rejects.toBe(notRanked);
    expect([...refused]).toEqual(['p=B']);
  });
});

describe('withFieldFallbacks', () => {
  const refusal = (field: string) =>
    new HorizonApiError('GET /x', 400, { message: `(#100) Tried accessing nonexisting field (${field}) on node type (X)`, code: 100, type: 'OAuthException' });
  const chain = { name: 'progress', selections: ['id,definition{api_name}', 'id,api_name', 'id'] };

  /** A server that refuses every selection naming one of `refused`, and records what it was asked. */
  function server(refused: string[]) {
    const asked: string[] = [];
    const call = async (fields: string) => {
      asked.push(fields);
      const field = refused.find((f) => fields.split(/[,{}]/).includes(f));
      if (field) throw refusal(field);
      return fields;
    };
    return { asked, call };
  }

  test('an accepted first selection is the only call, and nothing is remembered', async () => {
    const memory = new Set<string>();
    const { asked, call } = server([]);
    expect(await withFieldFallbacks(memory, chain, call)).toBe('id,definition{api_name}');
    expect(asked).toEqual(['id,definition{api_name}']);
    expect(memory.size).toBe(0);
  });

  test('each refusal moves to the next selection, in order, and is remembered for later calls', async () => {
    const memory = new Set<string>();
    const first = server(['definition', 'api_name']);
    expect(await withFieldFallbacks(memory, chain, first.call)).toBe('id');
    expect(first.asked).toEqual(['id,definition{api_name}', 'id,api_name', 'id']);
    const later = server(['definition', 'api_name']);
    expect(await withFieldFallbacks(memory, chain, later.call)).toBe('id');
    expect(later.asked).toEqual(['id']);
  });

  test('a server that refuses only the first: the second is used from then on', async () => {
    const memory = new Set<string>();
    expect(await withFieldFallbacks(memory, chain, server(['definition']).call)).toBe('id,api_name');
    const later = server(['definition']);
    expect(await withFieldFallbacks(memory, chain, later.call)).toBe('id,api_name');
    expect(later.asked).toEqual(['id,api_name']);
  });

  test('a refusal of the last selection, and any other error, fail the call as they are', async () => {
    const memory = new Set<string>();
    await expect(withFieldFallbacks(memory, chain, server(['id']).call)).rejects.toBeInstanceOf(HorizonApiError);
    const other = new HorizonApiError('GET /x', 400, { message: 'Parameter user_id: invalid user id: 1', code: 100 });
    const asked: string[] = [];
    await expect(
      withFieldFallbacks(new Set(), chain, async (fields) => {
        asked.push(fields);
        throw other;
      }),
    ).rejects.toBe(other);
    expect(asked).toHaveLength(1);
  });

  test('withDocumentedFields is the two-step chain, remembered under its name as before', async () => {
    const memory = new Set<string>();
    const choice = { name: 'leaderboard', preferred: 'id,title_locale_map', documented: 'id' };
    expect(await withDocumentedFields(memory, choice, server(['title_locale_map']).call)).toBe('id');
    expect([...memory]).toEqual(['leaderboard']);
  });
});
