/**
 * The logger sink ("simple" upstream, PROTOCOL.md §10.7): one `record_payload` activity line per
 * record. Always available, runs in the dispatch threads, never refuses and never confirms delivery.
 */
import type { Sink, SinkDefinition, SinkRecord } from '../sink';
import { ACCEPTED } from '../sink';
import { activity, logError } from '../../../shared/log';
import type { Logger } from '../../../shared/log';
import { renderLoggerData } from './render';

export const loggerSink: SinkDefinition = {
  name: 'logger',
  runsOn: 'pool',
  confirmsDelivery: false,
  configBlock: {
    key: 'logger',
    upstreamName: 'Logger',
    optional: true,
    schema: {
      verbose: {
        doc: 'Wrap each logged datum value in an object naming its protobuf type (PROTOCOL.md §10.7).',
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
  constructor(
    private readonly logger: Logger,
    private readonly verbose: boolean,
  ) {}

  produce(record: SinkRecord) {
    const rendered = renderLoggerData(record.recordType, record.decoded, this.verbose);
    for (const event of rendered.events) activity(this.logger, event.msg, event.fields);
    if (rendered.error !== undefined) {
      logError(this.logger, 'record_logging_error', rendered.error, {
        vin: record.vin,
        txtype: record.recordType,
        metadata: record.metadata,
      });
    } else {
      activity(this.logger, 'record_payload', { vin: record.vin, metadata: record.metadata, data: rendered.data });
    }
    return ACCEPTED;
  }

  async close() {}

  /** Writes to stderr: nothing to be connected to. */
  healthy() {
    return true;
  }
}
