import type pino from 'pino';
import type { GatewayConfig } from '../../../config';
import { createLogger } from '../../../shared/log';
import { NO_METRICS } from '../../../shared/metrics';
import { PayloadType, create } from '../../../shared/protobuf';
import type { Payload } from '../../../shared/protobuf';
import { recordMetadata } from '../../../shared/record';
import type { SinkRecord } from '../sink';
import { loggerSink } from './index';

async function sinkWithLines(json: boolean) {
  const lines: string[] = [];
  const destination: pino.DestinationStream = { write: (s: string) => void lines.push(s) };
  const logger = createLogger({ json, level: 'info', destination });
  const config = { sinks: {} } as unknown as GatewayConfig; // the logger reads only its own block
  const sink = await loggerSink.create({ config, logger, metrics: NO_METRICS });
  return { sink, lines };
}

function record(txid: string, decoded: Payload | undefined, recordType = 'V'): SinkRecord {
  const vin = 'LRW3F7EK4NC000001';
  return {
    recordType,
    vin,
    txid,
    payload: new Uint8Array(0),
    metadata: recordMetadata(vin, 1700000000000, txid, recordType, '1.0'),
    decoded,
  };
}

const vehicleData = (name: string): Payload =>
  create(PayloadType, { vin: 'LRW3F7EK4NC000001', data: [{ key: 64, value: { value: { case: 'string_value', value: name } } }] });

describe('logger sink', () => {
  test('JSON logs: a batch is written at flush, in produce order, one line per record, keys sorted', async () => {
    const { sink, lines } = await sinkWithLines(true);
    expect(sink.produce(record('t1', vehicleData('one')))).toEqual({ accepted: true });
    sink.produce(record('t2', undefined, 'weird'));
    sink.produce(record('t3', vehicleData('three')));
    expect(lines).toEqual([]);
    sink.flush?.();
    const written = lines
      .join('')
      .split('\n')
      .filter((l) => l !== '');
    expect(written).toHaveLength(3);
    const parsed = written.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.map((p) => p.msg)).toEqual(['record_payload', 'record_logging_error', 'record_payload']);
    expect(parsed[0]).toMatchObject({ activity: true, level: 'info', data: { VehicleName: 'one' }, metadata: { txid: 't1' } });
    expect(parsed[1]).toMatchObject({ level: 'error', error: 'unknown txType: weird', txtype: 'weird' });
    for (const line of written) {
      const keys = Object.keys(JSON.parse(line) as object);
      expect(keys).toEqual([...keys].sort());
    }
    lines.length = 0;
    sink.flush?.();
    expect(lines).toEqual([]); // nothing is written twice
  });

  test('close writes what is still gathered', async () => {
    const { sink, lines } = await sinkWithLines(true);
    sink.produce(record('t1', vehicleData('one')));
    await sink.close();
    expect(lines.join('')).toContain('"txid":"t1"');
  });

  test('logfmt logs go through pino at once', async () => {
    const { sink, lines } = await sinkWithLines(false);
    sink.produce(record('t1', vehicleData('one')));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('msg=record_payload');
  });
});
