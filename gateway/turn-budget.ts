/**
 * A read budget per connection and event-loop turn.
 *
 * uSockets (inside uWebSockets.js) reads a socket again at once, without going back to the event
 * loop, for as long as each read fills its 512 KB buffer. A client that sends faster than the
 * gateway handles its frames (pings, or frames whose replies it never reads) keeps its socket's
 * kernel buffer full and so holds the worker's loop: no other socket is read, no reply is written
 * and no lane result comes back until it pauses (seconds to minutes with one flat-out client).
 * The frames one connection delivers within one turn are therefore counted, and a connection
 * past its budget is closed by the worker: a flooding vehicle then only hurts itself.
 *
 * Each frame counts as its size plus FRAME_COST_BYTES, what handling a frame costs beyond its bytes
 * (a call into JavaScript, a reply or a pong), so that floods of tiny frames or pings are bounded
 * too: per turn, 4 MiB of frames (four frames at the 1 MB frame limit, so a vehicle sending its
 * largest records back to back is never taken for a flooder) or about 4,096 small ones, and never
 * fewer than 4 × the in-flight bound (a vehicle that waits for its replies has at most that many
 * frames under way).
 *
 * A turn ends when the loop reaches its check phase (setImmediate), which the read loop above never
 * lets happen. The first message of a turn always passes, whatever its size (bounded by
 * `gateway.max_websocket_message_bytes`), so one large frame never closes a connection.
 */
export const MAX_BYTES_PER_TURN = 4 * 1024 * 1024;
export const FRAME_COST_BYTES = 1024;

/** The budget of one connection per turn, in bytes as `take` counts them. */
export function turnBudgetBytes(maxInflightFrames: number): number {
  return Math.max(MAX_BYTES_PER_TURN, 4 * maxInflightFrames * FRAME_COST_BYTES);
}

export class TurnBudget<K extends object> {
  private readonly used = new Map<K, number>();
  private resetScheduled = false;

  constructor(readonly maxBytes: number) {}

  /** Counts a frame of `payloadBytes` from `key`; false when it takes `key` past its budget for this turn. */
  take(key: K, payloadBytes: number): boolean {
    const bytes = payloadBytes + FRAME_COST_BYTES;
    const used = this.used.get(key);
    if (used === undefined) {
      this.used.set(key, bytes);
      if (!this.resetScheduled) {
        this.resetScheduled = true;
        setImmediate(this.reset);
      }
      return true;
    }
    if (used + bytes > this.maxBytes) return false;
    this.used.set(key, used + bytes);
    return true;
  }

  private readonly reset = (): void => {
    this.used.clear();
    this.resetScheduled = false;
  };
}

/** How long a worker refuses a vehicle's new sessions after closing one of its connections for flooding. */
export const FLOODER_REFUSAL_MS = 10_000;

/**
 * Vehicles this worker recently closed for flooding, by device id. A flooder reconnects at once and
 * floods again; each new session would get a turn's budget of frames into the lanes (and up to the
 * in-flight bound dispatched) before being closed, which at tens of reconnects a second still
 * crowds out every other vehicle. Refusing its sessions for a while makes a reconnect cost one
 * handshake.
 */
export class RecentFlooders {
  private readonly until = new Map<string, number>();

  constructor(private readonly refusalMs = FLOODER_REFUSAL_MS) {}

  closed(deviceId: string, now: number): void {
    // Bounded by the vehicles that flood within `refusalMs`: expired entries go once there are many.
    if (this.until.size >= 10_000) for (const [id, end] of this.until) if (end <= now) this.until.delete(id);
    this.until.set(deviceId, now + this.refusalMs);
  }

  refuses(deviceId: string, now: number): boolean {
    const end = this.until.get(deviceId);
    if (end === undefined) return false;
    if (end > now) return true;
    this.until.delete(deviceId);
    return false;
  }
}
