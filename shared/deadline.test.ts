import { settledWithin } from './deadline';

describe('settledWithin', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('resolves when the work resolves, before the bound', async () => {
    let settled = false;
    const waiting = settledWithin(Promise.resolve('x'), 1_000).then(() => (settled = true));
    await Promise.resolve();
    await Promise.resolve();
    expect(settled).toBe(true);
    await waiting;
  });

  test('resolves (does not reject) when the work rejects', async () => {
    await expect(settledWithin(Promise.reject(new Error('broker gone')), 1_000)).resolves.toBeUndefined();
  });

  test('resolves at the bound when the work never settles', async () => {
    let settled = false;
    const waiting = settledWithin(new Promise(() => undefined), 1_000).then(() => (settled = true));
    jest.advanceTimersByTime(999);
    await Promise.resolve();
    expect(settled).toBe(false);
    jest.advanceTimersByTime(1);
    await waiting;
    expect(settled).toBe(true);
  });
});
