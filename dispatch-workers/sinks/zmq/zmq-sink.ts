/**
 * The ZMQ sink (PROTOCOL.md §10.4) on a worker's main thread: one PUB socket bound to `zmq.addr`,
 * each record one 2-frame message [`<namespace>_<record type>`, payload]. A PUB socket cannot
 * confirm delivery (a message for a slow or absent subscriber is dropped by ZeroMQ), so this sink
 * is never a reliable-ack source here.
 *
 * Verdicts: handed to the socket ⇒ accepted; more than MAX_QUEUED messages waiting, or closing ⇒
 * refused. A send that fails is counted (`zmq_err`) and logged (`zmq_dispatch_error`).
 */
import { logError } from '../../../shared/log';
import type { Logger } from '../../../shared/log';
import type { Counter, Metrics } from '../../../shared/metrics';
import { topicName } from '../../../shared/record';
import type { ProduceVerdict, Sink, SinkRecord } from '../sink';
import { ACCEPTED } from '../sink';

/** What the sink needs of the socket (zmq-socket.ts wraps zeromq). */
export interface ZmqPublisher {
  /** Messages handed over and not sent yet. */
  readonly queued: number;
  send(frames: [Buffer, Buffer]): Promise<void>;
  close(): Promise<void>;
}

/** Messages waiting for the socket beyond which records are refused (not ACKed, DEVIATIONS.md D6). */
export const MAX_QUEUED = 10_000;

export class ZmqSink implements Sink {
  private readonly errors: Counter<'record_type'>;
  private readonly published: Counter<'record_type'>;
  private readonly publishedBytes: Counter<'record_type'>;
  private readonly topics = new Map<string, Buffer>();
  private closing = false;

  constructor(
    private readonly socket: ZmqPublisher,
    private readonly namespace: string,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.errors = metrics.counter('zmq_err', ['record_type']);
    this.published = metrics.counter('zmq_publish_total', ['record_type']);
    this.publishedBytes = metrics.counter('zmq_publish_total_bytes', ['record_type']);
    // Registered as upstream does; never counted (see above).
    metrics.counter('zmq_reliable_ack_total', ['record_type']);
  }

  produce(record: SinkRecord): ProduceVerdict {
    if (this.closing) return { accepted: false, reason: 'zmq: closing' };
    if (this.socket.queued >= MAX_QUEUED) return { accepted: false, reason: `zmq: send queue full (${this.socket.queued} messages)` };
    const topic = this.topicOf(record.recordType);
    // Buffer.from copies: the payload may be a view into a batch buffer.
    const payload = Buffer.from(record.payload);
    const labels = { record_type: record.recordType };
    const { txid, vin, recordType } = record;
    this.socket.send([topic, payload]).then(
      () => {
        this.published.inc(labels);
        this.publishedBytes.inc(labels, topic.byteLength + payload.byteLength);
      },
      (error: unknown) => {
        this.errors.inc(labels);
        logError(this.logger, 'zmq_dispatch_error', error instanceof Error ? error.message : String(error), {
          record_type: recordType,
          txid,
          vin,
        });
      },
    );
    return ACCEPTED;
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.socket.close();
  }

  private topicOf(recordType: string): Buffer {
    let topic = this.topics.get(recordType);
    if (topic === undefined) {
      topic = Buffer.from(topicName(this.namespace, recordType), 'utf8');
      this.topics.set(recordType, topic);
    }
    return topic;
  }
}
