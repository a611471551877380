/**
 * The batch wire format between a worker's main thread and its dispatch lanes.
 *
 * Frames of one event-loop turn travel as ONE task: their bytes are concatenated in `frames` and
 * described by `index`; both ArrayBuffers are moved by transfer (no copy) and handed back in the
 * result so the main thread can reuse them. Identities travel once per batch in `sessions`.
 */
import type { MessagePort } from 'node:worker_threads';
import type { MetricsDelta } from './metrics/types';

/** What an index entry asks the dispatch thread to do. */
export const EntryKind = {
  /** A binary WebSocket message from a vehicle. */
  Frame: 0,
  /** A server-synthesised connectivity stream frame (PROTOCOL.md §7): dispatched, never replied to. */
  Connectivity: 1,
  /** A message over 1,000,000 bytes: its bytes are not sent; the reply is ERROR with empty txid (§5.2). */
  TooBig: 2,
} as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

/**
 * Numbers per entry in `index` (a Float64Array): kind, session slot, byte offset, byte length,
 * receivedAt ms, and the entry's ticket in the main thread's reply ledger (0 for entries nobody
 * answers), which a lane's Settlement carries back.
 */
export const INDEX_STRIDE = 6;

/** The identity of a session, as derived from its client certificate and upgrade request (PROTOCOL.md §3.2). */
export interface SessionIdentity {
  /** Socket UUID (X-TXID or random): connectivity `connection_id` and txid. */
  socketId: string;
  /** DeviceID: authoritative VIN, overwrites the payload's vin. */
  deviceId: string;
  /** `<client_type>.<device_id>`. */
  senderId: string;
  /** The `Version` request header (as UTF-8 text). */
  clientVersion: string;
  /** True when the header's bytes are not valid UTF-8: `clientVersion` is a lossy decode of them. */
  clientVersionAltered?: boolean;
}

export interface DispatchBatch {
  frames: ArrayBuffer;
  index: ArrayBuffer;
  entries: number;
  sessions: SessionIdentity[];
}

/** The verdict for one entry. */
export const Outcome = {
  /** No reply: connectivity records, and records a sink refused (DEVIATIONS.md D6: the vehicle resends). */
  None: 0,
  Ack: 1,
  Error: 2,
  /**
   * An ACK (its bytes are in `replies`) that also owes one delivery confirmation from a reliable-ack
   * sink of the lane (PROTOCOL.md §9); the confirmation arrives as a Settlement.
   */
  Pending: 3,
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/**
 * What a lane sends back for a batch. Every typed array is a view into ONE ArrayBuffer moved by
 * transfer (besides the handed-back `frames` and `index`): each transferred buffer costs the
 * sending and the receiving thread a few µs, so the result is three transfers, not one per array.
 * Records for main-thread sinks travel as numbers (`forwards`) and two string lists, not as
 * objects: the main thread rebuilds each SinkRecord from the batch's sessions and index.
 */
export interface LaneResult {
  /** The batch's buffers, handed back for reuse. */
  frames: ArrayBuffer;
  index: ArrayBuffer;
  /** One Outcome per entry. */
  outcomes: Uint8Array;
  /** Reply frames (ACK / ERROR bytes) concatenated; `replyIndex` holds offset and length per entry. */
  replies: Uint8Array;
  replyIndex: Uint32Array;
  /** Records for sinks that run on the main thread (node-rdkafka cannot load in a worker thread): FORWARD_STRIDE numbers each. */
  forwards: Uint32Array;
  /** Sink names and record types the `forwards` rows point to. */
  forwardNames: string[];
  /** Per forwarded record, its txid. */
  forwardTxids: string[];
  /** Their payloads, concatenated; each `forwards` row holds its offset and length. */
  forwardedPayloads: Uint8Array;
  /** What the lane counted since its previous drain (PROTOCOL.md §11.2); absent without monitoring. */
  metrics?: MetricsDelta;
}

/**
 * Numbers per forwarded record in `LaneResult.forwards`: batch entry, sink (index into
 * `forwardNames`), record type (same), flags (ForwardFlag), payload offset, payload length.
 * The entry's Outcome is the pool's verdict; the main thread's reply ledger folds in the sink's:
 * a refusal withdraws the ACK, and when reliable the ACK waits for its delivery confirmation.
 */
export const FORWARD_STRIDE = 6;
export const ForwardFlag = {
  /** The sink is the record type's reliable-ack source (§9). */
  Reliable: 1,
  /** SinkRecord.alteredMetadata = 'txid'. */
  AlteredTxid: 2,
  /** SinkRecord.alteredMetadata = 'device_client_version'. */
  AlteredClientVersion: 4,
} as const;

/** A batch result on the main thread: the lane's result and the identities of the batch it answers. */
export interface DispatchResult extends LaneResult {
  /** The batch's `sessions` (kept by the batcher; they do not travel back). */
  sessions: readonly SessionIdentity[];
}

/**
 * The sinks' decision for a Pending entry (a reliable-ack confirmation, or the release of a record
 * a sink held for back-pressure), posted by a dispatch thread on its settlement port.
 * It may reach the main thread before or after the result of the batch that made it.
 */
export interface Settlement {
  /** The entry's reply-ledger ticket (from the batch index). */
  ticket: number;
  /** False when delivery failed for good: no ACK, the vehicle resends. */
  delivered: boolean;
  recordType: string;
  /** The record type's reliable-ack sink (§9); undefined when only back-pressure held the reply. */
  reliableSource: string | undefined;
}

/**
 * What a dispatch thread posts on its settlement port besides Settlements: counts made outside a
 * batch (sinks' delivery callbacks), its sinks' health when it changes, and its error reports.
 */
export type LaneReport =
  | { report: 'metrics'; delta: MetricsDelta }
  | { report: 'health'; sinks: Record<string, boolean> }
  | { report: 'errors'; errors: LaneErrorReport[] };

/** An error line of a lane, for the Airbrake notifier of the main thread (already rate-limited). */
export interface LaneErrorReport {
  kind: string;
  error: string | null;
  fields: Record<string, string | number | boolean | null>;
}

/** Settlements travel in arrays: those made in one event-loop turn of the lane go in one message. */
export type LaneMessage = Settlement[] | LaneReport;

export function isLaneReport(message: LaneMessage): message is LaneReport {
  return !Array.isArray(message);
}

/** Messages the main thread sends to a dispatch thread besides batches. */
export type LaneControl = { control: 'attach-settlements'; port: MessagePort } | { control: 'close' };
