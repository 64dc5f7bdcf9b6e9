import { Kind } from 'graphql';
import { DateTimeScalar, LongScalar, toLong } from '../../src/graphql/scalars.js';

describe('Long', () => {
  test('keeps every digit of values past 2^53, from strings, numbers and bigints', () => {
    expect(LongScalar.serialize('9007199254740993')).toBe('9007199254740993');
    expect(LongScalar.serialize(9223372036854775807n)).toBe('9223372036854775807');
    expect(LongScalar.serialize(12345)).toBe('12345');
    expect(LongScalar.parseValue('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(LongScalar.parseLiteral({ kind: Kind.STRING, value: '9007199254740993' })).toBe(9007199254740993n);
    expect(LongScalar.parseLiteral({ kind: Kind.INT, value: '9007199254740993' })).toBe(9007199254740993n);
  });

  test('refuses values outside 64 bits, fractions, unsafe JSON numbers and junk', () => {
    expect(() => LongScalar.parseValue('9223372036854775808')).toThrow(/64-bit/);
    expect(() => LongScalar.parseValue(1.5)).toThrow();
    expect(() => LongScalar.parseValue(2 ** 60)).toThrow(); // already rounded by JSON.parse
    expect(() => LongScalar.parseValue('12abc')).toThrow();
    expect(() => LongScalar.serialize({})).toThrow();
    expect(toLong(' 42 ')).toBe(42n);
  });
});

describe('DateTime', () => {
  test('serializes dates as ISO UTC and parses ISO strings with a zone, Graph +0000 included', () => {
    expect(DateTimeScalar.serialize(new Date(Date.UTC(2021, 2, 9, 13, 4, 20)))).toBe('2021-03-09T13:04:20.000Z');
    expect((DateTimeScalar.parseValue('2021-03-09T13:04:20+0000') as Date).toISOString()).toBe('2021-03-09T13:04:20.000Z');
    expect(() => DateTimeScalar.parseValue('2021-03-09')).toThrow(/ISO-8601/);
    expect(() => DateTimeScalar.serialize('yesterday')).toThrow();
  });
});
