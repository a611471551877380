/**
 * The Kinesis sink (PROTOCOL.md §10.2) in a dispatch lane: `produce` copies the record into the
 * bounded PutRecords batcher and answers at once, so no vehicle's read path waits for Kinesis.
 *
 * Verdicts: queued ⇒ accepted (without reliable acks the ACK goes out now; above the high-water
 * mark, half the buffer bounds, it waits until the record has left the buffer: back-pressure);
 * buffer full, closing, or a record over the 1 MiB entry limit ⇒ refused, so the record is not
 * ACKed and the vehicle resends it (DEVIATIONS.md D6). A record that later fails for good is counted (`kinesis_err`),
 * logged (`kinesis_err`) and, for a reliable-ack type, confirmed as not delivered (§9: no ACK ever).
 */
import { logError } from '../../../shared/log';
import type { Logger } from '../../../shared/log';
import type { Metrics } from '../../../shared/metrics';
import { PublishMetrics } from '../publish-metrics';
import type { DeliveryConfirmation, ProduceVerdict, Sink, SinkRecord } from '../sink';
import { HighWaterMark } from '../high-water';
import { PutRecordsBatcher } from './put-records-batcher';
import type { BatcherOptions, PutRecordsCall } from './put-records-batcher';
import { PUT_RECORDS_LIMITS, entrySize } from './put-records-limits';

/** What the batcher carries per record, for the delivery report. */
interface PendingRecord {
  readonly recordType: string;
  readonly txid: string;
  readonly vin: string;
  readonly stream: string;
  readonly bytes: number;
  /** When it was queued (the delivery tracker's clock). */
  startedAt: number;
  readonly confirm: DeliveryConfirmation | undefined;
  /** Set when the record holds its frame's reply (above the high-water mark). */
  release: DeliveryConfirmation | undefined;
}

/** Close flushes for at most this long: the primary stops a worker 5 s after its drain deadline. */
export const CLOSE_FLUSH_TIMEOUT_MS = 4_000;

export class KinesisSink implements Sink {
  private readonly batcher: PutRecordsBatcher<PendingRecord>;
  private readonly metrics: PublishMetrics;
  private readonly highWater: HighWaterMark;
  /** false after a call failed as a whole (unreachable, 5xx) until a call is answered again. */
  private reachable = true;

  constructor(
    putRecords: PutRecordsCall,
    private readonly streams: ReadonlyMap<string, string>,
    private readonly logger: Logger,
    metrics: Metrics,
    options: BatcherOptions,
  ) {
    this.metrics = new PublishMetrics(metrics, 'kinesis');
    this.highWater = new HighWaterMark(options.maxBufferedRecords, options.maxBufferedBytes);
    this.batcher = new PutRecordsBatcher<PendingRecord>(
      putRecords,
      {
        delivered: (r, shardId, sequenceNumber) => this.delivered(r, shardId, sequenceNumber),
        failed: (r, error) => this.failed(r, error),
        retrying: (r, error, attempt, delayMs) => {
          if (logger.isLevelEnabled('debug'))
            logger.debug({ record_type: r.recordType, txid: r.txid, vin: r.vin, attempt, delay_ms: delayMs, error }, 'kinesis_retry');
        },
        callSettled: (error) => {
          this.reachable = error === undefined;
        },
      },
      options,
    );
  }

  produce(record: SinkRecord, confirm?: DeliveryConfirmation): ProduceVerdict {
    const stream = this.streams.get(record.recordType);
    if (stream === undefined) {
      logError(this.logger, 'kinesis_produce_stream_not_configured', null, { record_type: record.recordType });
      return { accepted: false, reason: `kinesis: no stream for record type ${record.recordType}` };
    }
    const size = entrySize(record.payload.byteLength, record.vin);
    if (size > PUT_RECORDS_LIMITS.maxRecordBytes) {
      this.metrics.refused(record.recordType);
      return { accepted: false, reason: `kinesis: record of ${size} bytes exceeds the 1 MiB PutRecords entry limit` };
    }
    const pending: PendingRecord = {
      recordType: record.recordType,
      txid: record.txid,
      vin: record.vin,
      stream,
      bytes: record.payload.byteLength,
      startedAt: 0,
      confirm,
      release: undefined,
    };
    // The payload may be a view into a reused batch buffer: the batcher keeps a copy (`new
    // Uint8Array(view)` copies; a Buffer's `slice` would not).
    const queued = this.batcher.enqueue(stream, record.vin, new Uint8Array(record.payload), size, pending);
    const { records, bytes } = this.batcher.buffered;
    if (queued === 'queued') {
      pending.startedAt = this.metrics.started(); // nothing settles before the next turn
      return this.highWater.verdict(pending, records, bytes, confirm !== undefined);
    }
    return {
      accepted: false,
      reason: queued === 'full' ? `kinesis: buffer full (${records} records, ${bytes} bytes queued)` : 'kinesis: closing',
    };
  }

  healthy(): boolean {
    return this.reachable;
  }

  /** Sends what is queued, for at most CLOSE_FLUSH_TIMEOUT_MS; the rest fails (counted, logged). */
  close(): Promise<void> {
    return this.batcher.close(CLOSE_FLUSH_TIMEOUT_MS);
  }

  private delivered(r: PendingRecord, shardId: string, sequenceNumber: string): void {
    if (this.logger.isLevelEnabled('debug'))
      this.logger.debug(
        { vin: r.vin, record_type: r.recordType, txid: r.txid, shard_id: shardId, sequence_number: sequenceNumber },
        'kinesis_message_dispatched',
      );
    this.metrics.delivered(r.recordType, r.bytes, r.startedAt, r.confirm);
    r.release?.(true);
  }

  private failed(r: PendingRecord, error: string): void {
    logError(this.logger, 'kinesis_err', error, { record_type: r.recordType, txid: r.txid, vin: r.vin, stream: r.stream });
    this.metrics.failed(r.recordType, r.startedAt, r.confirm);
    r.release?.(false);
  }
}
