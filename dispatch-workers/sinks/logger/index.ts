/**
 * The logger sink ("simple" upstream, PROTOCOL.md §10.7): one `record_payload` activity line per
 * record. Always available, runs in the dispatch threads, never refuses and never confirms delivery.
 * With JSON logs, a batch's lines are built directly as sorted JSON and written with one write in
 * `flush`, which the lane calls before the batch's ACKs leave: a record is logged before it is ACKed.
 */
import type { Sink, SinkDefinition, SinkRecord } from '../sink';
import { ACCEPTED } from '../sink';
import { activity, errorText, jsonLine, jsonLineFormat, jsonLineOfMembers, logError, sortedJsonText } from '../../../shared/log';
import type { JsonLineFormat, Logger } from '../../../shared/log';
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

/**
 * The JSON text of rendered data. `V` data are built with sorted keys (render.ts), so the native
 * JSON.stringify writes them sorted; it throws only on an int64 beyond 2^53 (a bigint).
 */
function dataText(recordType: string, data: unknown): string {
  if (recordType === 'V') {
    try {
      return JSON.stringify(data);
    } catch {
      // a bigint: the general path below
    }
  }
  return sortedJsonText(data) ?? 'null';
}

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
    const rendered = renderLoggerData(record.recordType, record.decoded, this.verbose);
    for (const event of rendered.events) this.activity(event.msg, event.fields);
    if (rendered.error !== undefined) {
      this.error('record_logging_error', rendered.error, { vin: record.vin, txtype: record.recordType, metadata: record.metadata });
    } else if (this.format === undefined) {
      activity(this.logger, 'record_payload', { vin: record.vin, metadata: record.metadata, data: rendered.data });
    } else if (this.logger.isLevelEnabled('info')) {
      this.pending += jsonLineOfMembers(this.format, 'info', 'record_payload', [
        ['activity', 'true'],
        ['data', dataText(record.recordType, rendered.data)],
        ['metadata', sortedJsonText(record.metadata) as string],
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

  private activity(msg: string, fields: Record<string, unknown>): void {
    if (this.format === undefined) activity(this.logger, msg, fields);
    else if (this.logger.isLevelEnabled('info')) this.pending += jsonLine(this.format, 'info', msg, { ...fields, activity: true });
  }

  private error(msg: string, error: string, fields: Record<string, unknown>): void {
    if (this.format === undefined) logError(this.logger, msg, error, fields);
    else if (this.logger.isLevelEnabled('error'))
      this.pending += jsonLine(this.format, 'error', msg, { ...fields, error: errorText(error) });
  }
}
