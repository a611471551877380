import { nearHalf } from './latency';

test('the latency goal is judged only at a rate near half the saturation', () => {
  expect(nearHalf(5000, 10000)).toBe(true);
  expect(nearHalf(4000, 10000)).toBe(true);
  expect(nearHalf(6000, 10000)).toBe(true);
  expect(nearHalf(3000, 10000)).toBe(false);
  expect(nearHalf(7500, 10000)).toBe(false);
});
