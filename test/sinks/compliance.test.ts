/**
 * The sink compliance suite (ARCHITECTURE.md): one set of cases that every sink runs against its
 * real broker (test/services/<name>), one row per sink in sink-rows.ts.
 *
 * - every record type arrives, with the VIN, and with the 7 metadata entries where the sink carries them;
 * - a vehicle's records arrive in the order it sent them;
 * - with the sink as reliable-ack source, the ACK comes once the broker confirmed (the record is there);
 * - its §11.2 counters move;
 * - an unreachable broker at startup gives the documented error and a non-zero exit (Kafka: the
 *   gateway listens, unready, and says what it waits for, as upstream connects lazily).
 */
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { stopService } from '../harness/services';
import { expectStartupFailure } from '../harness/startup-failure';
import { waitForMetric } from '../harness/metric-poll';
import { sendThroughDrain } from '../harness/drain-run';
import { freePort } from '../../shared/free-port';
import { httpGet } from '../integration/metrics-scrape';
import { alertsPayload, errorsPayload, seededRandom, streamFrame } from '../../bench/vehicle/records';
import { encode, fieldNumber, payloadTypeFor } from '../../shared/protobuf';
import type { VehicleConnection } from '../../bench/vehicle/vehicle-client';
import { RECORD_TYPES, SINK_ROWS } from './sink-rows';
import type { Delivered, Observer, SinkRow } from './sink-rows';

const RUN = Date.now().toString(36);
const rand = seededRandom(53);
const METADATA_KEYS = ['device_client_version', 'receivedat', 'timestamp', 'txid', 'txtype', 'version', 'vin'];
const ORDERED = 25;

/** A V payload numbered by its VehicleName datum. */
function namedV(vin: string, name: string): Uint8Array {
  return encode(payloadTypeFor('V'), {
    data: [
      { key: fieldNumber('VehicleName'), value: { value: { case: 'string_value', value: name } } },
      { key: fieldNumber('Odometer'), value: { value: { case: 'double_value', value: rand() * 1000 } } },
    ],
    vin,
  });
}

const ofVin = (d: Delivered[], vin: string, type: string) => d.filter((x) => x.vin === vin && x.recordType === type);

describe.each(SINK_ROWS.map((row) => ({ ...row, label: row.label ?? row.sink })))('sink compliance: $label', (row: SinkRow) => {
  const ns = `cs${RUN}${(row.label ?? row.sink).replace(/\W/g, '')}`;
  let env: Record<string, string>;
  let gateway: GatewayProcess;
  let observer: Observer | undefined;
  let metricsPort: number;
  const vins = TEST_VINS.slice(0, 2);

  beforeAll(async () => {
    env = await row.start([ns]);
    metricsPort = await freePort();
    const records: Record<string, string[]> = {};
    for (const t of [...RECORD_TYPES, ...(row.extraRecords ?? [])]) records[t] = [row.sink];
    gateway = await GatewayProcess.start({
      workers: row.workers ?? 1,
      dispatchThreads: 2,
      env: row.gatewayEnv?.(env) ?? {},
      config: {
        namespace: ns,
        records,
        ...(row.reliable ? { reliable_ack_sources: { V: row.sink } } : {}),
        monitoring: { prometheus_metrics_port: metricsPort },
        ...row.config(env, ns),
        ...(row.reliable?.config ?? {}),
      },
    });
    observer = await row.observe?.(env, ns, gateway);
  }, 600_000);

  afterAll(async () => {
    await observer?.close();
    await gateway?.stop();
    if (row.service !== undefined) await stopService(row.service);
  }, 120_000);

  async function connect(
    vin: string,
  ): Promise<{ vehicle: VehicleConnection; send: (topic: string, txid: string, payload: Uint8Array) => Promise<void> }> {
    const vehicle = await gateway.vehicle(vin, { Version: 'compliance-1' });
    const send = async (topic: string, txid: string, payload: Uint8Array) => {
      vehicle.send(streamFrame({ topic, txid, payload, vin }));
      expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid });
    };
    if (observer !== undefined) await row.join?.(send, observer);
    return { vehicle, send };
  }

  it('delivers every record type with the VIN (and the 7 metadata entries where carried); every record is ACKed', async () => {
    const vin = vins[0];
    const { vehicle, send } = await connect(vin);
    await send('V', `${ns}-V`, namedV(vin, 'first'));
    await send('alerts', `${ns}-alerts`, alertsPayload(vin, rand));
    await send('errors', `${ns}-errors`, errorsPayload(vin));
    await vehicle.close();
    if (observer === undefined) return; // nothing to read back (null): the ACKs above are the contract
    const o = observer;
    await o.waitUntil((d) => RECORD_TYPES.every((t) => ofVin(d, vin, t).length > 0));
    for (const t of RECORD_TYPES) {
      const [first] = ofVin(o.delivered(), vin, t);
      expect(first.vin).toBe(vin);
      if (!row.carriesMetadata) continue;
      expect(Object.keys(first.metadata ?? {}).sort()).toEqual(METADATA_KEYS);
      expect(first.metadata).toMatchObject({ vin, txtype: t, timestamp: '0', version: '0' });
      if (t !== 'connectivity') expect(first.metadata).toMatchObject({ txid: `${ns}-${t}`, device_client_version: 'compliance-1' });
    }
    expect(ofVin(o.delivered(), vin, 'V')[0].vehicleName).toBe('first');
  });

  it(
    row.keepsOrder === undefined
      ? 'keeps each vehicle’s records in the order it sent them'
      : 'delivers each vehicle’s records once (the broker does not order them)',
    async () => {
      const connections = await Promise.all(vins.map((vin) => connect(vin)));
      for (let i = 0; i < ORDERED; i++)
        connections.forEach(({ vehicle }, k) =>
          vehicle.send(streamFrame({ topic: 'V', txid: `${ns}-o-${i}`, payload: namedV(vins[k], `o-${i}`), vin: vins[k] })),
        );
      for (const { vehicle } of connections)
        for (let i = 0; i < ORDERED; i++) expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: `${ns}-o-${i}` });
      await Promise.all(connections.map(({ vehicle }) => vehicle.close()));
      if (observer === undefined) return;
      const o = observer;
      const names = (vin: string) =>
        ofVin(o.delivered(), vin, 'V').flatMap((d) => (d.vehicleName?.startsWith('o-') ? [d.vehicleName] : []));
      await o.waitUntil(() => vins.every((vin) => names(vin).length >= ORDERED));
      const sent = Array.from({ length: ORDERED }, (_, i) => `o-${i}`);
      // A broker that does not order (the row says why) must still deliver every record exactly once.
      for (const vin of vins)
        expect(row.keepsOrder === undefined ? names(vin) : [...names(vin)].sort()).toEqual(
          row.keepsOrder === undefined ? sent : [...sent].sort(),
        );
    },
  );

  if (row.reliable !== undefined) {
    it('as reliable-ack source, ACKs a record once the broker confirmed it (it can be read back)', async () => {
      const vin = vins[1];
      const { vehicle, send } = await connect(vin);
      await send('V', `${ns}-reliable`, namedV(vin, 'reliable'));
      await vehicle.close();
      await waitForMetric(metricsPort, 'reliable_ack', { record_type: 'V', dispatcher: row.sink }, (v) => v >= 1);
      if (observer === undefined) return;
      const o = observer;
      await o.waitUntil((d) => ofVin(d, vin, 'V').some((x) => x.vehicleName === 'reliable'));
    });
  }

  it('moves its §11.2 counters', async () => {
    for (const name of row.metrics) expect(await waitForMetric(metricsPort, name, { record_type: 'V' }, (v) => v > 0)).toBeGreaterThan(0);
    expect(await waitForMetric(metricsPort, 'record_total', { record_type: 'V' }, (v) => v > 0)).toBeGreaterThan(0);
  });

  if (row.observe !== undefined && row.noDrainCase === undefined) {
    const observe = row.observe;
    it('drains on SIGTERM: every ACKed record is delivered', async () => {
      const records: Record<string, string[]> = { V: [row.sink] };
      const draining = await GatewayProcess.start({
        workers: 1,
        dispatchThreads: 2,
        env: row.gatewayEnv?.(env) ?? {},
        config: { namespace: ns, records, ...row.config(env, ns) },
      });
      const reader = await observe(env, ns, draining);
      try {
        const vehicles = await Promise.all(TEST_VINS.map((vin) => draining.vehicle(vin)));
        const run = await sendThroughDrain(draining, vehicles, (k, round) =>
          streamFrame({ topic: 'V', txid: `d-${k}-${round}`, payload: namedV(TEST_VINS[k], `d-${k}-${round}`), vin: TEST_VINS[k] }),
        );
        expect(run.exitCode).toBe(0);
        const acked = run.acked.flat();
        expect(acked.length).toBeGreaterThan(0);
        const delivered = () => new Set(reader.delivered().flatMap((d) => (d.vehicleName === undefined ? [] : [d.vehicleName])));
        await reader.waitUntil(() => acked.every((txid) => delivered().has(txid)));
      } finally {
        await reader.close();
      }
    }, 120_000);
  }

  const unreachable = row.unreachable;
  if (unreachable !== undefined && unreachable.waits === true) {
    it('listens without its broker, unready naming the sink, and says what it waits for', async () => {
      const port = await freePort();
      const statusPort = await freePort();
      const gateway = await GatewayProcess.start({
        env: unreachable.env?.(port) ?? {},
        config: {
          namespace: `${ns}x`,
          status_port: statusPort,
          records: { V: [row.sink] },
          ...unreachable.config(port),
          gateway: { workers: 1, dispatch_threads: 1 },
        },
      });
      try {
        await gateway.waitForLog((l) => unreachable.error.test(JSON.stringify(l)), 30_000);
        const readyz = await httpGet(statusPort, '/readyz');
        expect(readyz.status).toBe(503);
        expect(readyz.body).toContain(`sink ${row.sink} is not connected`);
      } finally {
        await gateway.stop();
      }
    }, 120_000);
  } else if (unreachable !== undefined) {
    it('stops at startup with the documented error and a non-zero exit when the broker cannot be reached', async () => {
      const port = await freePort();
      const failure = await expectStartupFailure(
        { namespace: `${ns}x`, records: { V: [row.sink] }, ...unreachable.config(port), gateway: { workers: 1, dispatch_threads: 1 } },
        unreachable.env?.(port) ?? {},
        unreachable.error,
        90_000,
      );
      expect(failure.stderr).toMatch(unreachable.error);
      expect(failure.listened).toBe(false);
      expect(failure.exitCode).not.toBe(0);
    }, 120_000);
  }
});
