import type { GatewayConfig } from '../../../config';
import { createLogger } from '../../../shared/log';
import { NO_METRICS } from '../../../shared/metrics';
import { recordMetadata } from '../../../shared/record';
import { routeRecord } from '../../pipeline/route-record';
import type { SinkRecord } from '../sink';
import { SINKS } from '../registry';
import { nullSink } from './index';

const record: SinkRecord = {
  recordType: 'V',
  vin: 'v',
  txid: 't',
  payload: new Uint8Array([1, 2, 3]),
  metadata: recordMetadata('v', 0, 't', 'V', '1.0'),
  decoded: undefined,
};

async function createNullSink() {
  const logger = createLogger({ json: true, level: 'silent' });
  return nullSink.create({ config: {} as GatewayConfig, logger, metrics: NO_METRICS });
}

describe('null sink', () => {
  test('is a known dispatcher, after the upstream sinks', () => {
    expect(SINKS.map((s) => s.name)).toEqual(['logger', 'kafka', 'pubsub', 'kinesis', 'zmq', 'mqtt', 'redis', 'nats', 'http', 'null']);
  });

  test('accepts every record', async () => {
    const sink = await createNullSink();
    expect(sink.produce(record)).toEqual({ accepted: true });
  });

  test('as the reliable-ack source it confirms each record once, as delivered', async () => {
    const sink = await createNullSink();
    const verdict = routeRecord({ sinks: [{ name: 'null', sink }], reliableSource: 'null' }, record);
    expect(verdict.kind).toBe('awaiting-confirmation');
    const outcomes: boolean[] = [];
    if (verdict.kind === 'awaiting-confirmation') verdict.onConfirmed((delivered) => outcomes.push(delivered));
    expect(outcomes).toEqual([true]);
  });
});
