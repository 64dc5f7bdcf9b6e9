/** graphql-js's variable refusals keep the variable's name and the rule, never the value sent. */
import { buildSchema, graphql } from 'graphql';
import { withoutVariableValue } from '../../src/graphql/variableErrors.js';

const schema = buildSchema('type Query { a(t: String!, n: Int, l: [String!], o: I): String } input I { x: Int! }');
const SECRET = 'SECRET-TOKEN;"quoted" at "x"; 12345';

async function refusal(source: string, variableValues: Record<string, unknown>): Promise<string> {
  const { errors } = await graphql({ schema, source, variableValues });
  return errors![0]!.message;
}

test.each([
  ['query($t: String!) { a(t: $t) }', { t: 12345 }, 'Variable "$t" got invalid value; String cannot represent a non string value'],
  ['query($n: Int) { a(t: "x", n: $n) }', { n: SECRET }, 'Variable "$n" got invalid value; Int cannot represent non-integer value'],
  ['query($l: [String!]) { a(t: "x", l: $l) }', { l: ['ok', 99] }, 'Variable "$l" got invalid value at "l[1]"; String cannot represent a non string value'],
  ['query($o: I) { a(t: "x", o: $o) }', { o: { x: SECRET } }, 'Variable "$o" got invalid value at "o.x"; Int cannot represent non-integer value'],
  ['query($o: I) { a(t: "x", o: $o) }', { o: SECRET }, 'Variable "$o" got invalid value; Expected type "I" to be an object.'],
])('%s', async (source, variables, expected) => {
  const message = await refusal(source, variables);
  expect(message).toContain('got invalid value '); // graphql-js does echo it
  expect(withoutVariableValue(message)).toBe(expected);
});

test('messages that echo nothing pass unchanged', async () => {
  const missing = await refusal('query($t: String!) { a(t: $t) }', {});
  expect(withoutVariableValue(missing)).toBe('Variable "$t" of required type "String!" was not provided.');
  expect(withoutVariableValue('Cannot query field "b" on type "Query".')).toBe('Cannot query field "b" on type "Query".');
});
