/**
 * Validation of what ends up in upstream paths and parameters: Graph ids, api names and SKUs.
 * Api names are checked only for what any rule keeps (a name is accepted, an empty one is
 * not); their character set is the emulator's and Graph's business, not these tests'.
 */
import { assertApiName, assertGraphId, assertSku, isApiName, isGraphId, isSku } from '../../src/horizon/ids.js';
import { InvalidArgumentError } from '../../src/lib/errors.js';

function refusal(check: () => unknown): InvalidArgumentError {
  try {
    check();
  } catch (error) {
    if (error instanceof InvalidArgumentError) return error;
    throw error;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('Graph ids', () => {
  test.each(['1', '42', '1234567898014273', '9007199254740993', '18446744073709551615', '10000000000000000000'])('%s is an id', (id) => {
    expect(isGraphId(id)).toBe(true);
    expect(assertGraphId('userId', id)).toBe(id);
  });

  test.each([
    ['empty', ''],
    ['zero', '0'],
    ['a leading zero', '0123'],
    ['a sign', '-5'],
    ['a plus', '+5'],
    ['past 2^64 - 1', '18446744073709551616'],
    ['21 digits', '100000000000000000000'],
    ['letters', '12a'],
    ['a path', '12/feed'],
    ['a query', '12?fields=x'],
    ['spaces', ' 12'],
    ['a trailing newline', '12\n'],
    ['a decimal', '1.5'],
  ])('%s is not an id, and is refused naming the argument', (_label, value) => {
    expect(isGraphId(value)).toBe(false);
    const error = refusal(() => assertGraphId('userId', value));
    expect(error).toMatchObject({ name: 'InvalidArgumentError', argument: 'userId', message: 'userId must be a numeric Horizon id' });
  });
});

describe('api names', () => {
  test.each(['FIRST_STEPS', 'speed-demon', 'v1.2', 'a', 'COLLECT_100_GEMS'])('%s is an api name', (name) => {
    expect(isApiName(name)).toBe(true);
    expect(assertApiName('apiName', name)).toBe(name);
  });

  test('an empty name is refused, naming the argument', () => {
    expect(isApiName('')).toBe(false);
    const error = refusal(() => assertApiName('leaderboard', ''));
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'InvalidArgumentError', argument: 'leaderboard' });
    expect(error.message).toMatch(/^leaderboard must be /);
  });
});

describe('SKUs', () => {
  test.each(['gems_100', 'dlc-frozen.peaks', 'vip_pass:SUBSCRIPTION__MONTHLY', 'A', 'k'.repeat(128)])('%s is a SKU', (sku) => {
    expect(isSku(sku)).toBe(true);
    expect(assertSku('sku', sku)).toBe(sku);
  });

  test.each([
    ['empty', ''],
    ['too long', 'k'.repeat(129)],
    ['a space', 'gems 100'],
    ['a slash', 'gems/100'],
    ['a query', 'gems?x=1'],
    ['a quote', 'gems"'],
    ['a trailing newline', 'gems\n'],
  ])('%s is not a SKU, and is refused naming the argument', (_label, value) => {
    expect(isSku(value)).toBe(false);
    expect(refusal(() => assertSku('sku', value))).toMatchObject({
      name: 'InvalidArgumentError',
      argument: 'sku',
      message: "sku must be 1-128 letters, digits, '_', '-', '.' or ':'",
    });
  });
});

test('api names: 512 printable characters are accepted, 513 refused; control characters and line separators refused', () => {
  expect(isApiName('A'.repeat(512))).toBe(true);
  expect(isApiName('A'.repeat(513))).toBe(false);
  expect(isApiName('@achievement_01')).toBe(true);
  expect(isApiName('')).toBe(false);
  for (const bad of ['a\nb', 'a\u0000', 'a\u2028b', 'a\u2029b', '\ud800']) expect(isApiName(bad)).toBe(false);
});
