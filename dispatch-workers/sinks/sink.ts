/**
 * The sink contract. A sink is one folder under dispatch-workers/sinks/<name>/ holding its config
 * block, its implementation, where it runs and how it confirms delivery. Adding a sink means adding
 * a folder and one line in registry.ts; nothing in gateway/ or config/ changes.
 */
import type { AlteredMetadata, RecordMetadata } from '../../shared/record';
import type { DecodedMessage } from '../../shared/protobuf';
import type { SinkConfigBlock } from '../../config';
import type { GatewayConfig } from '../../config';
import type { Logger } from '../../shared/log';
import type { Metrics } from '../../shared/metrics';

/** One record as a sink sees it (PROTOCOL.md §5.3). */
export interface SinkRecord {
  recordType: string;
  vin: string;
  txid: string;
  /** Set when that metadata value is a lossy decode (U+FFFD for each bad sequence) of bytes that were not UTF-8. */
  alteredMetadata?: AlteredMetadata;
  /**
   * Protobuf after transforms, or JSON with `transmit_decoded_records`, or the original bytes for
   * other types. It may be a view into the batch buffer, valid only during `produce`: a sink that
   * keeps it past the call copies it.
   */
  payload: Uint8Array;
  metadata: RecordMetadata;
  /** The decoded message of the four known record types, for the sinks that read it (readsDecoded); else undefined. */
  decoded: DecodedMessage | undefined;
}

/**
 * What `produce` answers at once. `accepted`: the sink took the record (queued or sent).
 * `refused`: it did not (queue full, broker down): the record is not ACKed (DEVIATIONS.md D6).
 *
 * Back-pressure (ARCHITECTURE.md "Bounded memory"): a sink whose buffer is above its high-water
 * mark still accepts, with `held`: the frame's reply then waits until the record has left the sink.
 * The vehicle's window of unanswered frames fills and it slows down; refusing is for the hard limit.
 */
export type ProduceVerdict = { accepted: true; held?: HeldReply } | { accepted: false; reason: string };

/**
 * Registers the callback the sink calls exactly once when a held record has left it: `true`
 * delivered, `false` failed for good (then the frame gets no ACK). Called right after `produce`.
 */
export type HeldReply = (release: DeliveryConfirmation) => void;
export const ACCEPTED: ProduceVerdict = Object.freeze({ accepted: true });

/**
 * Called exactly once per record handed a `confirm` callback, when the sink knows the record was
 * delivered (`true`) or failed for good (`false`). Only sinks with `confirmsDelivery` receive one,
 * and only for record types in `reliable_ack_sources` mapped to them (PROTOCOL.md §9).
 */
export type DeliveryConfirmation = (delivered: boolean) => void;

export interface Sink {
  produce(record: SinkRecord, confirm?: DeliveryConfirmation): ProduceVerdict;
  /**
   * Pool sinks only: called after each batch, before its replies go back to the vehicles. A sink
   * that gathers work within a batch finishes it here (the logger sink: one write per batch).
   */
  flush?(): void;
  /** Flush what is queued and release connections; called once at drain. */
  close(): Promise<void>;
  /**
   * Whether the sink can deliver now (connected to its broker). Polled about once a second, so
   * answer from state, never block. `/readyz` is unready while any configured sink is not
   * healthy. Absent ⇒ always healthy.
   */
  healthy?(): boolean;
}

/**
 * What a sink gets when it is created.
 *
 * Metrics: a sink counts its own PROTOCOL.md §11.2 metrics (and any of its own) through the
 * metrics of the thread it runs in, a dispatch lane or a worker's main thread; read them with
 * `ctx.metrics`. Register once in `create`, count in `produce` and delivery callbacks:
 *
 *   const m = ctx.metrics;
 *   const published = m.counter('kinesis_publish_total', ['record_type']);
 *   const errors = m.counter('kinesis_err', ['record_type']);
 *   const delivery = m.delivery('kinesis');            // in-flight records and delivery latency
 *   // per record:
 *   const t = delivery.started();
 *   … on success: published.inc({ record_type: record.recordType }); delivery.settled(t, true);
 *   … on failure: errors.inc({ record_type: record.recordType }); delivery.settled(t, false);
 *
 * Catalogued names must keep the catalogue's type and labels (shared/metrics/catalogue.ts; a
 * mismatch throws at registration). Counting is local to the thread and costs a map lookup (a
 * bound `counter.labels({...})` child costs less); without monitoring every handle is a no-op.
 */
export interface SinkContext {
  config: GatewayConfig;
  logger: Logger;
  /** The metrics of the thread the sink runs in. */
  metrics: Metrics;
}

export interface SinkDefinition {
  /** The dispatcher name used in `records` and `reliable_ack_sources`. */
  name: string;
  /**
   * Where the sink runs. `pool`: inside each dispatch thread. `main`: on the worker's main thread
   * (node-rdkafka cannot load in a worker thread, Blizzard/node-rdkafka#958).
   */
  runsOn: 'pool' | 'main';
  /** Whether it can be a `reliable_ack_sources` target (PROTOCOL.md §9: every sink but the logger). */
  confirmsDelivery: boolean;
  /**
   * Whether `produce` reads `record.payload`. When no sink of a record type does (the logger renders
   * from `decoded`) and metrics are off, the pipeline skips the re-encode and hands an empty payload.
   */
  readsPayload: boolean;
  /**
   * Whether `produce` reads `record.decoded` (MQTT and the logger render from it). When no sink of a
   * record type does, the pipeline may make the payload at the wire level and hand `decoded` undefined.
   */
  readsDecoded?: boolean;
  /** Its config block, declared beside it; absent for sinks without one. */
  configBlock?: SinkConfigBlock;
  create(context: SinkContext): Promise<Sink>;
}
