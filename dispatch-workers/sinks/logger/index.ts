/**
 * The logger sink ("simple" upstream, PROTOCOL.md §10.7): one `record_payload` activity line per
 * record. Always available, runs in the dispatch threads, never refuses and never confirms delivery.
 * With JSON logs, a batch's lines are built directly as sorted JSON and written with one write in
 * `flush`, which the lane calls before the batch's ACKs leave: a record is logged before it is ACKed.
 */
import type { Sink, SinkDefinition, SinkRecord } from '../sink';
import { ACCEPTED } from '../sink';
import { activity, jsonLine, jsonLineFormat, jsonLineOfMembers, logError } from '../../../shared/log';
import { metadataJson } from '../../../shared/record';
import type { JsonLineFormat, Logger } from '../../../shared/log';
import { renderLoggerData, renderLoggerJson } from './render';

export const loggerSink: SinkDefinition = {
  name: 'logger',
  runsOn: 'pool',
  confirmsDelivery: false,
  readsPayload: false,
  readsDecoded: true,
  configBlock: {
    key: 'logger',
    upstreamName: 'Logger',
    optional: true,
    schema: {
      verbose: {
        doc: 'Wrap each logged datum value in an object naming its protobuf type, as the reference server does.',
        format: Boolean,
        default: false,
      },
    },
  },
  async create({ config, logger }) {
    const block = config.sinks.logger as { verbose?: boolean } | undefined;
    return new LoggerSink(logger, block?.verbose === true);
  },
};

class LoggerSink implements Sink {
  /** Set with JSON logs: the fast path below. */
  private readonly format: JsonLineFormat | undefined;
  /** The fast path's lines not yet written. */
  private pending = '';

  constructor(
    private readonly logger: Logger,
    private readonly verbose: boolean,
  ) {
    this.format = jsonLineFormat(logger);
  }

  produce(record: SinkRecord) {
    if (this.format === undefined) {
      const rendered = renderLoggerData(record.recordType, record.decoded, this.verbose);
      for (const event of rendered.events) activity(this.logger, event.msg, event.fields);
      if (rendered.error !== undefined) logError(this.logger, 'record_logging_error', rendered.error, this.errorFields(record));
      else activity(this.logger, 'record_payload', { vin: record.vin, metadata: record.metadata, data: rendered.data });
      return ACCEPTED;
    }
    const format = this.format;
    const rendered = renderLoggerJson(record.recordType, record.decoded, this.verbose);
    if (this.logger.isLevelEnabled('info')) {
      for (const event of rendered.events) this.pending += jsonLine(format, 'info', event.msg, { ...event.fields, activity: true });
    }
    if (rendered.error !== undefined) {
      if (this.logger.isLevelEnabled('error')) {
        this.pending += jsonLine(format, 'error', 'record_logging_error', { ...this.errorFields(record), error: rendered.error });
      }
    } else if (this.logger.isLevelEnabled('info')) {
      this.pending += jsonLineOfMembers(format, 'info', 'record_payload', [
        ['activity', 'true'],
        ['data', rendered.dataJson ?? 'null'],
        ['metadata', metadataJson(record.metadata)],
        ['vin', JSON.stringify(record.vin)],
      ]);
    }
    return ACCEPTED;
  }

  flush() {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.format?.destination.write(text);
  }

  async close() {
    this.flush();
  }

  /** Writes to stderr: nothing to be connected to. */
  healthy() {
    return true;
  }

  private errorFields(record: SinkRecord): Record<string, unknown> {
    return { vin: record.vin, txtype: record.recordType, metadata: record.metadata };
  }
}
