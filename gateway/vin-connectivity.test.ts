import { VinSocketLedger } from './vin-connectivity';
import type { VinSocketMessage } from './vin-connectivity';

const VIN = '5YJ3E1EA7KF100001';
const event = (opened: boolean, socketId: string, vin = VIN): VinSocketMessage => ({
  type: 'vin_socket',
  ref: 0,
  opened,
  identity: { socketId, deviceId: vin, senderId: `vehicle_device.${vin}`, clientVersion: '' },
  networkInterface: 'wifi',
});

it('makes a transition only on the first open and the last close, over all workers', () => {
  const ledger = new VinSocketLedger();
  expect(ledger.socket(0, event(true, 's1'))).toBe('CONNECTED');
  expect(ledger.socket(1, event(true, 's2'))).toBeNull();
  expect(ledger.socket(0, event(true, 's3'))).toBeNull();
  expect(ledger.socket(0, event(false, 's1'))).toBeNull();
  expect(ledger.socket(0, event(false, 's3'))).toBeNull();
  expect(ledger.socket(1, event(false, 's2'))).toBe('DISCONNECTED');
  expect(ledger.socket(1, event(true, 's4'))).toBe('CONNECTED');
});

it('ignores a close it never saw open (its worker was already forgotten)', () => {
  const ledger = new VinSocketLedger();
  expect(ledger.socket(0, event(false, 's1'))).toBeNull();
  expect(ledger.socket(1, event(true, 's2'))).toBe('CONNECTED');
  expect(ledger.socket(0, event(false, 's1'))).toBeNull();
  expect(ledger.socket(1, event(false, 's2'))).toBe('DISCONNECTED');
});

it('a dead worker: VINs with no socket left elsewhere are returned with their last socket', () => {
  const other = '5YJ3E1EA7KF100002';
  const ledger = new VinSocketLedger();
  ledger.socket(0, event(true, 's1'));
  ledger.socket(0, event(true, 's2'));
  ledger.socket(0, event(true, 'o1', other));
  ledger.socket(1, event(true, 'o2', other));
  ledger.socket(0, event(true, 's3'));
  ledger.socket(0, event(false, 's3')); // closed: not the one a DISCONNECTED names
  expect(ledger.workerGone(0).map((g) => g.identity.socketId)).toEqual(['s2']);
  expect(ledger.socket(1, event(false, 'o2', other))).toBe('DISCONNECTED');
  expect(ledger.socket(2, event(true, 's5'))).toBe('CONNECTED');
});

it('stamps strictly increasing times, within one millisecond too', () => {
  const ledger = new VinSocketLedger();
  expect(ledger.stamp(1000)).toEqual({ ms: 1000, extraNanos: 0 });
  expect(ledger.stamp(1000)).toEqual({ ms: 1000, extraNanos: 1 });
  expect(ledger.stamp(999)).toEqual({ ms: 1000, extraNanos: 2 }); // the clock stepped back
  expect(ledger.stamp(1001)).toEqual({ ms: 1001, extraNanos: 0 });
});
