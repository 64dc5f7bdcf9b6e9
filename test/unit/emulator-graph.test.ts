/** The emulator's Graph conventions: `fields=` parsing and projection, cursor paging, OR-merged bits. */
import { GraphError, paginate, parseFields, project, type FieldTree, type NodeShape } from '../../src/emulator/graph.js';
import { orBits } from '../../src/emulator/routes/achievements.js';

/** A FieldTree as a plain object, for readable equality checks. */
function plain(tree: FieldTree | null | undefined): unknown {
  if (tree === null || tree === undefined) return tree;
  return Object.fromEntries([...tree].map(([k, v]) => [k, plain(v)]));
}

function graphErrorOf(fn: () => unknown): GraphError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GraphError) return error;
    throw new Error(`expected a GraphError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a GraphError, nothing was thrown');
}

describe('parseFields', () => {
  test('absent or blank means no selection', () => {
    expect(parseFields(undefined)).toBeUndefined();
    expect(parseFields('')).toBeUndefined();
    expect(parseFields('   ')).toBeUndefined();
  });

  test('flat list', () => {
    expect(plain(parseFields('id,alias,display_name'))).toEqual({ id: null, alias: null, display_name: null });
  });

  test('nested braces, several levels, with spaces', () => {
    expect(plain(parseFields('id, definition{api_name,target}, user{id,avatar_v2{avatar_image{uri}}},score'))).toEqual({
      id: null,
      definition: { api_name: null, target: null },
      user: { id: null, avatar_v2: { avatar_image: { uri: null } } },
      score: null,
    });
  });

  test.each([['a,,b'], ['a,'], [',a'], ['a{b'], ['a{b,c'], ['a}'], ['a{}'], ['a b'], ['a{b}}'], ['a-b'], ['1abc']])(
    'syntax error %p is GraphError code 100, HTTP 400',
    (input) => {
      const error = graphErrorOf(() => parseFields(input));
      expect(error.code).toBe(100);
      expect(error.status).toBe(400);
      expect(error.message).toMatch(/syntax error/i);
    },
  );
});

const DEF_SHAPE: NodeShape = { type: 'Definition', fields: ['id', 'api_name', 'target'] };
const PROGRESS_SHAPE: NodeShape = {
  type: 'Progress',
  fields: ['id', 'definition', 'count_progress', 'tags'],
  nested: { definition: DEF_SHAPE },
};

describe('project', () => {
  const node = { id: '7001', definition: { id: '9', api_name: 'FIRST_STEPS', target: 3 }, count_progress: 2, tags: ['x'] };

  test('default projection is the id only', () => {
    expect(project(node, PROGRESS_SHAPE, undefined)).toEqual({ id: '7001' });
  });

  test("a shape's own defaults replace the id-only default", () => {
    const shape: NodeShape = { ...DEF_SHAPE, defaults: ['api_name', 'target'] };
    expect(project({ id: '9', api_name: 'A', target: 3 }, shape, undefined)).toEqual({ api_name: 'A', target: 3 });
  });

  test('only the fields asked for, nested selections projected', () => {
    expect(project(node, PROGRESS_SHAPE, parseFields('count_progress,definition{api_name}'))).toEqual({
      count_progress: 2,
      definition: { api_name: 'FIRST_STEPS' },
    });
  });

  test('a nested field without braces gets the nested default (id)', () => {
    expect(project(node, PROGRESS_SHAPE, parseFields('definition'))).toEqual({ definition: { id: '9' } });
  });

  test('arrays of nested nodes are projected item by item', () => {
    const shape: NodeShape = { type: 'List', fields: ['id', 'items'], nested: { items: DEF_SHAPE } };
    const listNode = {
      id: '1',
      items: [
        { id: 'a', api_name: 'A', target: 1 },
        { id: 'b', api_name: 'B' },
      ],
    };
    expect(project(listNode, shape, parseFields('items{api_name,target}'))).toEqual({ items: [{ api_name: 'A', target: 1 }, { api_name: 'B' }] });
  });

  test('fields with no value are left out rather than sent as null', () => {
    expect(project({ id: '1', api_name: null }, DEF_SHAPE, parseFields('id,api_name,target'))).toEqual({ id: '1' });
  });

  test('an unknown field is GraphError code 100 naming field and node type', () => {
    const error = graphErrorOf(() => project(node, PROGRESS_SHAPE, parseFields('id,nope')));
    expect(error.code).toBe(100);
    expect(error.status).toBe(400);
    expect(error.message).toContain('(nope)');
    expect(error.message).toContain('(Progress)');
  });

  test('an unknown nested field is an error too', () => {
    const error = graphErrorOf(() => project(node, PROGRESS_SHAPE, parseFields('definition{secret_sauce}')));
    expect(error.code).toBe(100);
    expect(error.message).toContain('(Definition)');
  });
});

describe('paginate', () => {
  const items = [0, 1, 2, 3, 4];
  const self = new URL('http://127.0.0.1:4000/1234/achievements');

  test('first page: cursors and next, no previous; next re-embeds the query', () => {
    const params = { limit: '2', fields: 'id,definition{api_name}', access_token: 'OC|1|s3cret' };
    const { page, paging } = paginate(items, params, self);
    expect(page).toEqual([0, 1]);
    expect(paging).toBeDefined();
    const cursors = paging!.cursors as { before: string; after: string };
    expect(typeof cursors.before).toBe('string');
    expect(typeof cursors.after).toBe('string');
    expect(paging!.previous).toBeUndefined();
    const next = new URL(paging!.next as string);
    expect(next.origin + next.pathname).toBe('http://127.0.0.1:4000/1234/achievements');
    expect(next.searchParams.get('limit')).toBe('2');
    expect(next.searchParams.get('fields')).toBe('id,definition{api_name}');
    expect(next.searchParams.get('access_token')).toBe('OC|1|s3cret');
    expect(next.searchParams.get('after')).toBe(cursors.after);
    expect(next.searchParams.has('before')).toBe(false);
  });

  test('following next walks every item once; the last page has no next', () => {
    const seen: number[] = [];
    let params: Record<string, string> = { limit: '2' };
    let pages = 0;
    let last: Record<string, unknown> | undefined;
    for (; pages < 10; pages++) {
      const { page, paging } = paginate(items, params, self);
      seen.push(...page);
      last = paging;
      if (!paging?.next) break;
      params = Object.fromEntries(new URL(paging.next as string).searchParams);
    }
    expect(seen).toEqual(items);
    expect(pages).toBe(2); // 0-based: pages 0, 1, 2
    expect(last).toBeDefined();
    expect(last!.next).toBeUndefined();
    expect(typeof last!.previous).toBe('string');
    expect(new URL(last!.previous as string).searchParams.has('after')).toBe(false);
  });

  test('previous leads back to the preceding page', () => {
    const first = paginate(items, { limit: '2' }, self);
    const second = paginate(items, { limit: '2', after: (first.paging!.cursors as { after: string }).after }, self);
    expect(second.page).toEqual([2, 3]);
    const back = paginate(items, Object.fromEntries(new URL(second.paging!.previous as string).searchParams), self);
    expect(back.page).toEqual([0, 1]);
  });

  test('one page holding everything: no next and no previous', () => {
    const { page, paging } = paginate(items, {}, self);
    expect(page).toEqual(items);
    expect(paging!.next).toBeUndefined();
    expect(paging!.previous).toBeUndefined();
  });

  test('empty collection: no paging at all', () => {
    expect(paginate([], {}, self)).toEqual({ page: [], paging: undefined });
  });

  test('limit is capped by maxLimit', () => {
    const many = Array.from({ length: 30 }, (_, i) => i);
    expect(paginate(many, { limit: '1000' }, self, { maxLimit: 10 }).page).toHaveLength(10);
    expect(paginate(many, {}, self, { defaultLimit: 4 }).page).toHaveLength(4);
  });

  test.each([['0'], ['-1'], ['abc'], ['2.5']])('limit %p is GraphError code 100', (limit) => {
    expect(graphErrorOf(() => paginate(items, { limit }, self)).code).toBe(100);
  });

  test('a forged cursor is GraphError code 100', () => {
    expect(graphErrorOf(() => paginate(items, { after: 'not-a-cursor' }, self)).code).toBe(100);
  });
});

describe('GraphError.toBody', () => {
  test("Graph's envelope with an fbtrace_id and optional keys only when set", () => {
    const body = new GraphError(400, 100, 'bad', 'GraphMethodException', 33, false).toBody();
    expect(body.error).toMatchObject({ message: 'bad', type: 'GraphMethodException', code: 100, error_subcode: 33, is_transient: false });
    expect(body.error.fbtrace_id).toMatch(/^[A-Za-z0-9]{16}$/);
    const plainBody = new GraphError(400, 190, 'x').toBody();
    expect(plainBody.error).not.toHaveProperty('error_subcode');
    expect(plainBody.error).not.toHaveProperty('is_transient');
    expect(plainBody.error.type).toBe('OAuthException');
  });
});

describe('orBits', () => {
  test('the documented example: 10011 + 00110 = 10111', () => {
    expect(orBits('10011', '00110')).toBe('10111');
  });

  test('is idempotent and commutative', () => {
    expect(orBits('10111', '00110')).toBe('10111');
    expect(orBits('00110', '10011')).toBe('10111');
  });

  test('a shorter add is aligned from the left', () => {
    expect(orBits('00000', '1')).toBe('10000');
    expect(orBits('0000000', '011')).toBe('0110000');
  });

  test('empty current progress takes the added bits', () => {
    expect(orBits('', '101')).toBe('101');
  });

  test('zeros never clear bits', () => {
    expect(orBits('11111', '00000')).toBe('11111');
  });
});
