/**
 * The null sink (`null` in `records`; ours, not upstream's): accepts every record and keeps nothing.
 * For load tests: it measures the gateway without the cost of a sink (`npm run bench -- --scenario
 * sinks`). As a `reliable_ack_sources` target it confirms each record at once, which measures the
 * reliable-ack path without a broker.
 */
import type { DeliveryConfirmation, Sink, SinkDefinition, SinkRecord } from '../sink';
import { ACCEPTED } from '../sink';

export const nullSink: SinkDefinition = {
  name: 'null',
  runsOn: 'pool',
  confirmsDelivery: true,
  readsPayload: false,
  async create() {
    return discardingSink;
  },
};

const discardingSink: Sink = {
  produce(_record: SinkRecord, confirm?: DeliveryConfirmation) {
    confirm?.(true);
    return ACCEPTED;
  },
  async close() {},
};
