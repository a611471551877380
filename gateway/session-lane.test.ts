import { EntryKind } from '../shared/batch';
import type { SessionIdentity } from '../shared/batch';
import type { LaneBatcher } from './batcher';
import type { ReplyEntry } from './replies/reply-queue';
import { CONNECTIVITY_HOLD_MS, SessionLane } from './session-lane';

const identity = (socketId: string): SessionIdentity => ({ socketId, deviceId: 'VIN', senderId: 'vehicle_device.VIN', clientVersion: '' });
const a = identity('a');
const b = identity('b');
const entry = { ticket: 1 } as ReplyEntry;

/** A batcher that records what reaches it, in order. */
function recordingBatcher(): { batcher: LaneBatcher; added: string[] } {
  const added: string[] = [];
  const batcher = {
    add: (who: SessionIdentity, kind: EntryKind, bytes: Uint8Array | undefined, at: number) =>
      added.push(`${who.socketId}:${kind === EntryKind.Connectivity ? 'connectivity' : 'frame'}:${bytes?.[0] ?? '-'}@${at}`),
  } as unknown as LaneBatcher;
  return { batcher, added };
}

afterEach(() => jest.useRealTimers());

it('holds connectivity records until the next frame, then hands them over first, in order', () => {
  const { batcher, added } = recordingBatcher();
  const lane = new SessionLane(batcher);
  lane.connectivity(a, Uint8Array.of(1), 10);
  lane.connectivity(b, Uint8Array.of(2), 11);
  expect(added).toEqual([]);
  lane.frame(a, EntryKind.Frame, Uint8Array.of(3), 12, entry);
  lane.frame(b, EntryKind.TooBig, undefined, 13, entry);
  expect(added).toEqual(['a:connectivity:1@10', 'b:connectivity:2@11', 'a:frame:3@12', 'b:frame:-@13']);
  lane.release(); // nothing left: nothing added, and the timer was cleared
  expect(added).toHaveLength(4);
});

it('hands held records over after the hold time when no frame comes', () => {
  jest.useFakeTimers();
  const { batcher, added } = recordingBatcher();
  const lane = new SessionLane(batcher);
  lane.connectivity(a, Uint8Array.of(1), 10);
  jest.advanceTimersByTime(CONNECTIVITY_HOLD_MS - 1);
  expect(added).toEqual([]);
  lane.connectivity(b, Uint8Array.of(2), 11); // does not restart the wait of the first
  jest.advanceTimersByTime(1);
  expect(added).toEqual(['a:connectivity:1@10', 'b:connectivity:2@11']);
  expect(jest.getTimerCount()).toBe(0);
});

it('does not hold more than a bounded number of records', () => {
  const { batcher, added } = recordingBatcher();
  const lane = new SessionLane(batcher);
  for (let i = 0; i < 256; i++) lane.connectivity(a, Uint8Array.of(i % 256), i);
  expect(added).toHaveLength(256);
  expect(added[255]).toBe('a:connectivity:255@255');
});

it('once holding stops (drain), releases what it held and passes records straight through', () => {
  jest.useFakeTimers();
  const { batcher, added } = recordingBatcher();
  const lane = new SessionLane(batcher);
  lane.connectivity(a, Uint8Array.of(1), 10);
  lane.stopHolding();
  expect(added).toEqual(['a:connectivity:1@10']);
  lane.connectivity(b, Uint8Array.of(2), 11);
  expect(added).toEqual(['a:connectivity:1@10', 'b:connectivity:2@11']);
  expect(jest.getTimerCount()).toBe(0);
});
