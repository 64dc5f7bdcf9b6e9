/**
 * The small readers and fallback rules of src/horizon/params.ts that the issue-12 work added:
 * Graph's loose booleans and strings, the memory keys of a field fallback chain, and which
 * refusals make a parameter's other spelling worth trying.
 */
import { HorizonApiError, HorizonNetworkError, type GraphErrorBody } from '../../src/horizon/errors.js';
import { isSuccess, stringOrNull, truthy, withFieldFallbacks, withGuessedFields, withParamSpelling } from '../../src/horizon/params.js';

const graphError = (body: GraphErrorBody) => new HorizonApiError('GET /x', 400, body);
const fieldRefusal = (field: string) => graphError({ code: 100, message: `(#100) Tried accessing nonexisting field (${field}) on node type (X)` });

test('truthy reads JSON booleans, "true", 1 and "1" as true, and nothing else', () => {
  for (const yes of [true, 'true', 1, '1']) expect(truthy(yes)).toBe(true);
  for (const no of [false, 'false', 0, '0', '', 'yes', 2, null, undefined, {}]) expect(truthy(no)).toBe(false);
});

test('isSuccess takes true and "true" only', () => {
  expect(isSuccess(true)).toBe(true);
  expect(isSuccess('true')).toBe(true);
  for (const no of [1, '1', false, 'false', '', null, undefined]) expect(isSuccess(no)).toBe(false);
});

test('stringOrNull keeps non-empty strings and turns everything else into null', () => {
  expect(stringOrNull('a')).toBe('a');
  expect(stringOrNull(' ')).toBe(' ');
  for (const no of ['', 0, 1, false, null, undefined, ['a']]) expect(stringOrNull(no)).toBeNull();
});

describe('withFieldFallbacks memory', () => {
  const chain = { name: 'progress', selections: ['a,b,c', 'a,b', 'a'] };

  test('each refused step is remembered under its own key: the name, then name#1', async () => {
    const memory = new Set<string>();
    const asked: string[] = [];
    const result = await withFieldFallbacks(memory, chain, async (fields) => {
      asked.push(fields);
      if (fields !== 'a') throw fieldRefusal(fields.endsWith('c') ? 'c' : 'b');
      return fields;
    });
    expect(result).toBe('a');
    expect(asked).toEqual(['a,b,c', 'a,b', 'a']);
    expect([...memory].sort()).toEqual(['progress', 'progress#1']);
  });

  test('a remembered refusal of the first step starts at the second; the last step is always tried', async () => {
    const asked: string[] = [];
    await withFieldFallbacks(new Set(['progress']), chain, async (fields) => {
      asked.push(fields);
      return fields;
    });
    expect(asked).toEqual(['a,b']);
    asked.length = 0;
    await withFieldFallbacks(new Set(['progress', 'progress#1', 'progress#2']), chain, async (fields) => {
      asked.push(fields);
      return fields;
    });
    expect(asked).toEqual(['a']);
  });
});

describe('withGuessedFields', () => {
  test('a refusal naming a field that is not a guess drops every guess asked', async () => {
    const refused = new Set<string>();
    const sent: string[] = [];
    await withGuessedFields(
      refused,
      [{ name: 'g', field: 'guessed' }],
      (asked) => (asked.size ? 'id,guessed' : 'id'),
      async (fields) => {
        sent.push(fields);
        if (fields.includes('guessed')) throw fieldRefusal('somethingelse');
      },
    );
    expect(sent).toEqual(['id,guessed', 'id']);
    expect([...refused]).toEqual(['g']);
  });
});

describe('withParamSpelling: which failures make the other spelling worth trying', () => {
  const run = (error: unknown, mayBeSpelling = () => true) => {
    const sent: string[] = [];
    const refused = new Set<string>();
    const result = withParamSpelling(refused, 'p', ['A', 'B'], mayBeSpelling, async (s) => {
      sent.push(s);
      if (s === 'A') throw error;
      return s;
    });
    return { sent, refused, result };
  };

  test('a plain code 100 the caller cannot rule out: the other spelling, remembered', async () => {
    const { sent, refused, result } = run(graphError({ code: 100, message: 'Param p must be one of B' }));
    await expect(result).resolves.toBe('B');
    expect(sent).toEqual(['A', 'B']);
    expect([...refused]).toEqual(['p=B']);
  });

  test('a code 100 with a subcode (an unknown node), another code, a network error, or one the caller rules out: thrown, not retried', async () => {
    for (const [error, mayBe] of [
      [graphError({ code: 100, error_subcode: 33, message: 'Unsupported get request.' }), () => true],
      [graphError({ code: 190, message: 'Invalid OAuth 2.0 Access Token' }), () => true],
      [new HorizonNetworkError('GET /x', Object.assign(new Error('reset'), { code: 'ECONNRESET' })), () => true],
      [graphError({ code: 100, message: 'Param p must be one of B' }), () => false],
    ] as const) {
      const { sent, refused, result } = run(error, mayBe);
      await expect(result).rejects.toBe(error);
      expect(sent).toEqual(['A']);
      expect(refused.size).toBe(0);
    }
  });
});
