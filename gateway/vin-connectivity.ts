/**
 * VIN-level connectivity (`connectivity.per_vin`): one CONNECTED record when a VIN's first socket
 * opens and one DISCONNECTED when its last closes, over every worker of this gateway process tree.
 *
 * Workers report each socket opening and closing to the primary, which alone counts sockets per VIN
 * (`VinSocketLedger`) and answers whether the socket made a transition, with a timestamp that
 * strictly increases across the whole gateway (consumers order by `created_at`: records of two
 * workers may reach a sink out of order). The worker then queues the record through the session,
 * closed or not, as the per-socket records are (PROTOCOL.md §7).
 */
import type { SessionIdentity } from '../shared/batch';
import type { SessionLane } from './session-lane';
import { connectivityFrame } from './connectivity';
import type { ConnectivityStatus, ConnectivityTime } from './connectivity';

/** Worker → primary: one socket of `identity.deviceId` opened or closed. */
export interface VinSocketMessage {
  type: 'vin_socket';
  ref: number;
  opened: boolean;
  identity: SessionIdentity;
  networkInterface: string;
}

/** Primary → worker: the record that socket's event makes, if any. */
export interface VinConnectivityAnswer {
  type: 'vin_connectivity_answer';
  ref: number;
  status: ConnectivityStatus | null;
  at: ConnectivityTime;
}

/** Primary → a live worker: the last socket of a VIN was on a worker that died. */
export interface VinConnectivityOrphan {
  type: 'vin_connectivity_orphan';
  identity: SessionIdentity;
  networkInterface: string;
  at: ConnectivityTime;
}

export function isVinSocketMessage(m: unknown): m is VinSocketMessage {
  return (m as { type?: unknown } | null)?.type === 'vin_socket';
}

export function isVinConnectivityMessage(m: unknown): m is VinConnectivityAnswer | VinConnectivityOrphan {
  const type = (m as { type?: unknown } | null)?.type;
  return type === 'vin_connectivity_answer' || type === 'vin_connectivity_orphan';
}

interface OpenSocket {
  identity: SessionIdentity;
  networkInterface: string;
}

/** The primary's count of open sockets per VIN, over all workers. */
export class VinSocketLedger {
  /** VIN → worker slot → its open sockets there, in opening order. */
  private readonly vins = new Map<string, Map<number, OpenSocket[]>>();
  private lastMs = 0;
  private seq = 0;

  /** The transition this socket event makes, if any. */
  socket(slot: number, m: VinSocketMessage): ConnectivityStatus | null {
    const vin = m.identity.deviceId;
    let slots = this.vins.get(vin);
    if (m.opened) {
      const first = slots === undefined;
      if (slots === undefined) {
        slots = new Map();
        this.vins.set(vin, slots);
      }
      const open = slots.get(slot) ?? [];
      open.push({ identity: m.identity, networkInterface: m.networkInterface });
      slots.set(slot, open);
      return first ? 'CONNECTED' : null;
    }
    const open = slots?.get(slot);
    const index = open === undefined ? -1 : open.findIndex((s) => s.identity.socketId === m.identity.socketId);
    // A close the ledger never saw open: its worker died and was forgotten already.
    if (slots === undefined || open === undefined || index < 0) return null;
    open.splice(index, 1);
    if (open.length === 0) slots.delete(slot);
    if (slots.size > 0) return null;
    this.vins.delete(vin);
    return 'DISCONNECTED';
  }

  /** Forgets a dead worker's sockets; returns the VINs that have none left, each with its latest socket there. */
  workerGone(slot: number): OpenSocket[] {
    const gone: OpenSocket[] = [];
    for (const [vin, slots] of this.vins) {
      const open = slots.get(slot);
      if (open === undefined) continue;
      slots.delete(slot);
      if (slots.size > 0) continue;
      this.vins.delete(vin);
      gone.push(open[open.length - 1]);
    }
    return gone;
  }

  /** Strictly increasing over this gateway: equal milliseconds are told apart by nanoseconds. */
  stamp(now = Date.now()): ConnectivityTime {
    if (now > this.lastMs) {
      this.lastMs = now;
      this.seq = 0;
    } else if (++this.seq === 1_000_000) {
      this.lastMs++;
      this.seq = 0;
    }
    return { ms: this.lastMs, extraNanos: this.seq };
  }
}

/** The primary's side: answers socket events, and covers workers that die. */
export class VinConnectivityPrimary {
  private readonly ledger = new VinSocketLedger();

  socket(slot: number, m: VinSocketMessage, reply: (answer: VinConnectivityAnswer) => void): void {
    const status = this.ledger.socket(slot, m);
    reply({ type: 'vin_connectivity_answer', ref: m.ref, status, at: this.ledger.stamp() });
  }

  /** A worker died with sockets open: a live worker emits their VINs' DISCONNECTED. */
  workerGone(slot: number, liveWorker: () => ((m: VinConnectivityOrphan) => void) | undefined): void {
    const send = liveWorker();
    for (const last of this.ledger.workerGone(slot)) send?.({ type: 'vin_connectivity_orphan', ...last, at: this.ledger.stamp() });
  }
}

export function sendToPrimary(m: VinSocketMessage): void {
  if (process.connected && process.send !== undefined) process.send(m);
}

/** What the worker's side needs of a session. */
export interface ConnectivitySession {
  readonly identity: SessionIdentity;
  emitConnectivity(frame: Uint8Array): void;
}

/** A worker's side: reports its sockets and emits the records the primary's answers call for. */
export class VinConnectivityWorker {
  private nextRef = 1;
  private readonly pending = new Map<number, { session: ConnectivitySession; networkInterface: string }>();
  private settledWaiters: (() => void)[] = [];

  constructor(
    private readonly send: (m: VinSocketMessage) => void,
    /** Queues a record with no session behind it (a DISCONNECTED for a dead worker's socket). */
    private readonly lane: () => SessionLane,
  ) {}

  socket(session: ConnectivitySession, networkInterface: string, opened: boolean): void {
    const ref = this.nextRef++;
    this.pending.set(ref, { session, networkInterface });
    this.send({ type: 'vin_socket', ref, opened, identity: session.identity, networkInterface });
  }

  handle(m: VinConnectivityAnswer | VinConnectivityOrphan): void {
    if (m.type === 'vin_connectivity_orphan') {
      // A connectivity record gets no reply: no reply entry, nothing for the ledger to settle.
      this.lane().connectivity(m.identity, connectivityFrame(m.identity, m.networkInterface, 'DISCONNECTED', m.at));
      return;
    }
    const pending = this.pending.get(m.ref);
    if (pending === undefined) return;
    this.pending.delete(m.ref);
    if (m.status !== null)
      pending.session.emitConnectivity(connectivityFrame(pending.session.identity, pending.networkInterface, m.status, m.at));
    if (this.pending.size === 0) for (const resolve of this.settledWaiters.splice(0)) resolve();
  }

  /** Resolves once every socket event has its answer (drain: DISCONNECTED records are not lost). */
  settled(): Promise<void> {
    if (this.pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }
}
