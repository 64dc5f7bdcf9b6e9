import { quoteLargeIntegers } from '../../src/horizon/transport.js';
test('large integers in named fields are quoted before parsing, small ones and strings left alone', () => {
  const t = '{"data":[{"score":9007199254740993,"rank":1},{"score": -12345678901234567 },{"score":"5"},{"score":12}],"x":{"score":1234567890123456789}}';
  const out = JSON.parse(quoteLargeIntegers(t, ['score']));
  expect(out.data[0].score).toBe('9007199254740993');
  expect(out.data[1].score).toBe('-12345678901234567');
  expect(out.data[2].score).toBe('5');
  expect(out.data[3].score).toBe(12);
  expect(out.x.score).toBe('1234567890123456789');
});
