/** Messages between the bench controller and its generator processes (IPC, JSON-serialised). */
import type { HistogramSnapshot } from '../report/histogram';

export interface ClientIdentity {
  vin: string;
  certFile: string;
  keyFile: string;
}

export interface GeneratorPlan {
  index: number;
  host: string;
  port: number;
  servername?: string;
  caFile: string;
  identities: ClientIdentity[];
  /** Per connection this generator may open: its index into `identities`. */
  connectionIdentities: number[];
  framesPerIdentity: number;
  minDatums: number;
  maxDatums: number;
  seed: number;
  /** Handshakes in progress at once while connecting (storms ignore it: everyone at once). */
  connectConcurrency: number;
  handshakeTimeoutMs: number;
}

/**
 * window: each connection keeps `window` frames unanswered, sending the next as replies arrive.
 * rate: `perSecond` frames spread round-robin over the connections, never more than `window`
 *   unanswered per connection (a frame due on a full connection is skipped and counted).
 */
export type LoadMode = { kind: 'window'; window: number } | { kind: 'rate'; perSecond: number; window: number };

export type ControllerMessage =
  | { type: 'setup'; plan: GeneratorPlan }
  | { type: 'connect'; upTo: number }
  | { type: 'load'; mode: LoadMode }
  | { type: 'reset' }
  | { type: 'snapshot'; withLatency: boolean }
  /** Stop sending and wait (bounded) for the replies still due. */
  | { type: 'quiesce'; timeoutMs: number }
  | { type: 'storm'; deadlineMs: number; retryDelayMs: number }
  | { type: 'close' };

export interface LoadStats {
  sent: number;
  acked: number;
  errors: number;
  /** Replies that are neither ACK nor ERROR. */
  others: number;
  /** Replies that arrived with nothing outstanding on their connection. */
  unexpected: number;
  /** Rate mode: frames not sent because their connection's window was full. */
  skipped: number;
  bytesSent: number;
  bytesReceived: number;
  /** Replies whose bytes differed from the ACK computed for the frame they answer. */
  slowPath: number;
  open: number;
  closedByServer: number;
  latency?: HistogramSnapshot;
}

export interface ConnectReport {
  open: number;
  failed: number;
  durationMs: number;
  handshake: HistogramSnapshot;
  errors: Record<string, number>;
}

export interface StormReport {
  vehicles: number;
  /** Vehicles connected again and ACKed, and the ms after the drop at which each was. */
  doneAtMs: number[];
  failedHandshakes: number;
  gaveUp: number;
  errors: Record<string, number>;
}

export type GeneratorMessage =
  | { type: 'ready'; frames: number }
  | { type: 'connected'; report: ConnectReport }
  | { type: 'ok' }
  | { type: 'stats'; stats: LoadStats }
  | { type: 'storm'; report: StormReport }
  | { type: 'failed'; error: string };

/** Every command carries an id its answer repeats: progress snapshots may overtake a long connect. */
export interface ControllerEnvelope {
  id: number;
  message: ControllerMessage;
}

export interface GeneratorEnvelope {
  id: number;
  message: GeneratorMessage;
}
