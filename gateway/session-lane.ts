/**
 * A dispatch lane as its sessions see it. Vehicle frames go to the lane's batcher at once; the
 * connectivity records (PROTOCOL.md §7), which nobody answers, wait up to `holdMs` to ride in the
 * batch of the lane's next frame. Each batch costs two thread crossings (~100 µs of CPU each on a
 * small VM), so a reconnect storm no longer pays one batch per socket event: its CONNECTED and
 * DISCONNECTED records share the batches of the frames that follow them.
 *
 * Order is kept: the held records enter the batcher, in the order they were emitted, before any
 * later entry of this lane, so a session's records reach the lane as before (CONNECTED, its
 * frames, DISCONNECTED). Each record keeps the time it was made at (`created_at` is in its bytes).
 */
import { EntryKind } from '../shared/batch';
import type { SessionIdentity } from '../shared/batch';
import type { LaneBatcher } from './batcher';
import type { ReplyEntry } from './replies/reply-queue';

/** How long a connectivity record may wait for a frame to travel with. */
export const CONNECTIVITY_HOLD_MS = 20;
/** Held records that go at once without waiting for the timer. */
const MAX_HELD = 256;

interface HeldRecord {
  identity: SessionIdentity;
  frame: Uint8Array;
  at: number;
}

export class SessionLane {
  private held: HeldRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private holding = true;
  private readonly releaseOnTimer = () => {
    this.timer = undefined;
    this.release();
  };

  constructor(
    readonly batcher: LaneBatcher,
    private readonly holdMs = CONNECTIVITY_HOLD_MS,
  ) {}

  /** A vehicle frame (or an oversized one): queued for the lane's next batch, after the held records. */
  frame(identity: SessionIdentity, kind: EntryKind, bytes: Uint8Array | undefined, receivedAt: number, reply: ReplyEntry): void {
    if (this.held.length > 0) this.release();
    this.batcher.add(identity, kind, bytes, receivedAt, reply);
  }

  /** A connectivity record: no reply, no in-flight slot; it goes with the next frame or after `holdMs`. */
  connectivity(identity: SessionIdentity, frame: Uint8Array, at = Date.now()): void {
    if (!this.holding) {
      this.batcher.add(identity, EntryKind.Connectivity, frame, at, undefined);
      return;
    }
    this.held.push({ identity, frame, at });
    if (this.held.length >= MAX_HELD) this.release();
    else this.timer ??= setTimeout(this.releaseOnTimer, this.holdMs);
  }

  /** Hands every held record to the batcher now. */
  release(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const held = this.held;
    if (held.length === 0) return;
    this.held = [];
    for (const r of held) this.batcher.add(r.identity, EntryKind.Connectivity, r.frame, r.at, undefined);
  }

  /** Drain: nothing is held from now on, so waiting for the batcher covers every record. */
  stopHolding(): void {
    this.holding = false;
    this.release();
  }
}
