import { FRAME_COST_BYTES, MAX_BYTES_PER_TURN, RecentFlooders, TurnBudget, turnBudgetBytes } from './turn-budget';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

it('refuses a connection past its budget within one turn, and starts afresh the next turn', async () => {
  const budget = new TurnBudget<object>(10 * FRAME_COST_BYTES);
  const flooder = {};
  const other = {};
  for (let i = 0; i < 10; i++) expect(budget.take(flooder, 0)).toBe(true);
  expect(budget.take(flooder, 0)).toBe(false);
  expect(budget.take(other, 0)).toBe(true); // per connection
  await nextTurn();
  expect(budget.take(flooder, 0)).toBe(true);
});

it('lets the first frame of a turn pass whatever its size, and counts its bytes', async () => {
  const budget = new TurnBudget<object>(MAX_BYTES_PER_TURN);
  const vehicle = {};
  expect(budget.take(vehicle, 64 * MAX_BYTES_PER_TURN)).toBe(true);
  expect(budget.take(vehicle, 0)).toBe(false);
  await nextTurn();
  expect(budget.take(vehicle, MAX_BYTES_PER_TURN / 2)).toBe(true);
  expect(budget.take(vehicle, MAX_BYTES_PER_TURN / 2 - 2 * FRAME_COST_BYTES)).toBe(true);
  expect(budget.take(vehicle, 1)).toBe(false);
});

it('never allows fewer frames per turn than 4 × the in-flight bound', () => {
  expect(turnBudgetBytes(256)).toBe(MAX_BYTES_PER_TURN);
  expect(turnBudgetBytes(10_000)).toBe(4 * 10_000 * FRAME_COST_BYTES);
});

it('refuses a vehicle closed for flooding until its refusal has passed', () => {
  const flooders = new RecentFlooders(10_000);
  flooders.closed('flooder', 1_000);
  expect(flooders.refuses('flooder', 1_001)).toBe(true);
  expect(flooders.refuses('other', 1_001)).toBe(false);
  expect(flooders.refuses('flooder', 11_000)).toBe(false);
  flooders.closed('flooder', 11_000); // flooding again: refused again
  expect(flooders.refuses('flooder', 20_999)).toBe(true);
});
