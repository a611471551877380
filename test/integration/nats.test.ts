/**
 * The NATS sink against a real nats-server with JetStream (test/services/nats, NATS_JETSTREAM=1):
 * subjects and headers, reliable ACKs only after the PubAck, a full stream (max_msgs, discard new)
 * → no ACK and nats_err, a server restart under load, the startup errors (core NATS as a reliable
 * source, stream missing with creation off), and the bounded reconnect buffer of core NATS.
 */
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import type { LogLine } from '../harness/gateway-process';
import { startService, stopService } from '../harness/services';
import { NatsReader } from '../harness/nats-reader';
import { pauseService, resumeService } from '../../bench/server/service-pause';
import { expectStartupFailure } from '../harness/startup-failure';
import { freePort } from '../../shared/free-port';
import { metricValue, waitForMetric } from '../harness/metric-poll';
import { untilReadyz } from './metrics-scrape';
import { alertsPayload, seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';
import { PayloadType, decode } from '../../shared/protobuf';
import type { Payload } from '../../shared/protobuf';

const rand = seededRandom(31);

/** Namespaces and streams unique per run: the JetStream store is kept across stop/start. */
const RUN = Date.now().toString(36);
const JS = { NATS_JETSTREAM: '1' };
let env: Record<string, string>;
let reader: NatsReader;

beforeAll(async () => {
  env = await startService('nats', JS);
  expect(env.NATS_JETSTREAM).toBe('1');
  reader = await NatsReader.connect(env.NATS_URL, true);
}, 600_000);

afterAll(async () => {
  await reader?.close();
  // A connection of its own: the suite's reader lived through a server restart.
  const cleaner = await NatsReader.connect(env.NATS_URL, true);
  try {
    await cleaner.deleteStreams(RUN);
  } finally {
    await cleaner.close();
    await stopService('nats');
  }
});

function natsGateway(namespace: string, nats: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return GatewayProcess.start({
    env,
    config: { namespace, records: { V: ['nats'], alerts: ['nats'] }, nats: { url: env.NATS_URL, ...nats }, ...extra },
  });
}

const frame = (vin: string, txid: string, datums = 10) =>
  streamFrame({ topic: 'V', txid, payload: vehicleDataPayload(vin, datums, rand), vin });
const METADATA_KEYS = ['device_client_version', 'receivedat', 'timestamp', 'txid', 'txtype', 'version', 'vin'];

describe('core NATS', () => {
  const ns = `core${RUN}`;
  let gateway: GatewayProcess;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    // `url` as a list (a one-string URL is what the other gateways here use).
    gateway = await natsGateway(ns, { url: [env.NATS_URL] }, { monitoring: { prometheus_metrics_port: metricsPort } });
    await reader.subscribe(`${ns}.>`);
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('publishes to <namespace>.<record type>.<VIN> with the metadata as headers and the payload as data', async () => {
    const vin = TEST_VINS[0];
    const vehicle = await gateway.vehicle(vin, { Version: '2024.2' });
    const v = vehicleDataPayload(vin, 5, rand);
    vehicle.send(streamFrame({ topic: 'V', txid: 'c-V', payload: v, vin }));
    vehicle.send(streamFrame({ topic: 'alerts', txid: 'c-alerts', payload: alertsPayload(vin, rand), vin }));
    expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: 'c-V' });
    expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: 'c-alerts' });
    await reader.waitUntil(() => reader.messages.filter((m) => m.subject.startsWith(`${ns}.`)).length === 2);
    const [mv, ma] = reader.messages.filter((m) => m.subject.startsWith(`${ns}.`));
    expect(mv.subject).toBe(`${ns}.V.${vin}`);
    expect(ma.subject).toBe(`${ns}.alerts.${vin}`);
    expect(Object.keys(mv.headers).sort()).toEqual(METADATA_KEYS);
    expect(mv.headers).toMatchObject({ vin, txid: 'c-V', txtype: 'V', device_client_version: '2024.2', version: '0' });
    const decoded = decode(PayloadType, mv.data) as { ok: true; message: Payload };
    expect(decoded.ok).toBe(true);
    expect(decoded.message.vin).toBe(vin);
    await waitForMetric(metricsPort, 'nats_publish_total', { record_type: 'V' }, (n) => n === 1);
    await waitForMetric(metricsPort, 'nats_publish_total', { record_type: 'alerts' }, (n) => n === 1);
    await vehicle.close();
  });
});

describe('startup errors', () => {
  it('core NATS as a reliable ack source is a startup error naming the key', async () => {
    const failure = await expectStartupFailure(
      { records: { V: ['nats'] }, reliable_ack_sources: { V: 'nats' }, nats: { url: env.NATS_URL } },
      {},
      /nats cannot be a reliable ack source/,
    );
    expect(failure.stderr).toContain('reliable_ack_sources.V');
    expect(failure.stderr).toContain('nats.jetstream.enabled');
    expect(failure.listened).toBe(false);
  });

  it('a missing stream with create_stream off is a startup error naming the stream key', async () => {
    const stream = `MISSING${RUN}`;
    const failure = await expectStartupFailure(
      { records: { V: ['nats'] }, nats: { url: env.NATS_URL, jetstream: { enabled: true, stream } } },
      {},
      /does not exist/,
    );
    expect(failure.stderr).toContain(`config key "nats.jetstream.stream": JetStream stream "${stream}" does not exist`);
    expect(failure.listened).toBe(false);
    expect(await reader.streamExists(stream)).toBe(false);
  });
});

describe('JetStream', () => {
  it('creates the stream, and ACKs a reliable record only once the server stored it (PubAck)', async () => {
    const ns = `js${RUN}`;
    const stream = `JS${RUN}`;
    const metricsPort = await freePort();
    const gateway = await natsGateway(
      ns,
      { jetstream: { enabled: true, stream, create_stream: true, max_age_ms: 3_600_000 } },
      { reliable_ack_sources: { V: 'nats' }, monitoring: { prometheus_metrics_port: metricsPort } },
    );
    try {
      expect(gateway.logs.find((l) => l.msg === 'nats_stream_ready')).toMatchObject({ stream, created: true });
      const vin = TEST_VINS[1];
      const vehicle = await gateway.vehicle(vin);
      vehicle.send(frame(vin, 'js-1'));
      expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: 'js-1' });
      pauseService('nats');
      try {
        vehicle.send(frame(vin, 'js-2'));
        // The sink holds the record and the paused server cannot acknowledge it: no ACK.
        await waitForMetric(metricsPort, 'gateway_sink_inflight_records', { sink: 'nats' }, (n) => n === 1);
        expect(vehicle.pendingReplies).toBe(0);
      } finally {
        resumeService('nats');
      }
      expect(await vehicle.nextReply(20_000)).toMatchObject({ kind: 'ack', txid: 'js-2' });
      const stored = await reader.streamMessages(stream);
      expect(stored.map((m) => m.headers.txid)).toEqual(['js-1', 'js-2']);
      expect(stored[0].subject).toBe(`${ns}.V.${vin}`);
      await waitForMetric(metricsPort, 'nats_reliable_ack_total', { record_type: 'V' }, (n) => n === 2);
      await vehicle.close();
    } finally {
      await gateway.stop();
    }
  }, 120_000);

  it('a full stream (max_msgs, discard new): no ACK for the rejected records, nats_err counted', async () => {
    const ns = `full${RUN}`;
    const stream = `FULL${RUN}`;
    await reader.addStream({ name: stream, subjects: [`${ns}.>`], max_msgs: 3, discard: 'new' as never });
    const metricsPort = await freePort();
    const gateway = await natsGateway(
      ns,
      { jetstream: { enabled: true, stream } },
      { reliable_ack_sources: { V: 'nats' }, monitoring: { prometheus_metrics_port: metricsPort } },
    );
    try {
      expect(gateway.logs.find((l) => l.msg === 'nats_stream_ready')).toMatchObject({ stream, created: false });
      const vin = TEST_VINS[2];
      const vehicle = await gateway.vehicle(vin);
      for (let i = 0; i < 5; i++) vehicle.send(frame(vin, `full-${i}`));
      for (let i = 0; i < 3; i++) expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: `full-${i}` });
      const errors: LogLine[] = [];
      for (const txid of ['full-3', 'full-4']) errors.push(await gateway.waitForLog((l) => l.msg === 'nats_err' && l.txid === txid));
      expect(errors[0]).toMatchObject({ subject: `${ns}.V.${vin}`, record_type: 'V' });
      expect(String(errors[0].error)).toMatch(/maximum messages exceeded \(JetStream err_code 10077\)/);
      await waitForMetric(metricsPort, 'nats_err', { record_type: 'V' }, (n) => n === 2);
      expect(vehicle.pendingReplies).toBe(0);
      expect((await reader.streamMessages(stream)).map((m) => m.headers.txid)).toEqual(['full-0', 'full-1', 'full-2']);
      await vehicle.close();
    } finally {
      await gateway.stop();
    }
  }, 120_000);

  it('a server restart under load: every ACKed record is in the stream, and ACKs resume', async () => {
    const ns = `rs${RUN}`;
    const stream = `RS${RUN}`;
    const gateway = await natsGateway(
      ns,
      { reconnect_wait_ms: 200, jetstream: { enabled: true, stream, create_stream: true, publish_timeout_ms: 2_000 } },
      { reliable_ack_sources: { V: 'nats' } },
    );
    try {
      const vin = TEST_VINS[3];
      const vehicle = await gateway.vehicle(vin);
      const acked: string[] = [];
      let ackedAfterRestart = 0;
      let restarted = false;
      // Load: a frame every 5 ms throughout, whatever the server does.
      let sent = 0;
      const load = setInterval(() => vehicle.send(frame(vin, `rs-${sent++}`, 20)), 5);
      let fiftyAcked: () => void = () => undefined;
      const fifty = new Promise<void>((resolve) => (fiftyAcked = resolve));
      const replies = (async () => {
        while (ackedAfterRestart < 50) {
          // A record that failed gets no reply; later ones still do.
          const reply = await vehicle.nextReply(15_000).catch(() => undefined);
          if (reply?.kind !== 'ack') continue;
          acked.push(reply.txid);
          if (acked.length === 50) fiftyAcked();
          if (restarted) ackedAfterRestart++;
        }
      })();
      try {
        await fifty;
        await stopService('nats');
        await startService('nats', JS);
        restarted = true;
        await replies;
      } finally {
        clearInterval(load);
      }
      const stored = new Set((await reader.streamMessages(stream)).map((m) => m.headers.txid));
      expect(acked.filter((txid) => !stored.has(txid))).toEqual([]);
      expect(ackedAfterRestart).toBe(50);
      // Replies leave in arrival order, the ACKed ones included.
      expect(acked.map((t) => Number(t.slice(3)))).toEqual([...acked.map((t) => Number(t.slice(3)))].sort((a, b) => a - b));
      await vehicle.close();
    } finally {
      await gateway.stop();
    }
  }, 180_000);
});

describe('core NATS reconnect buffer', () => {
  it('takes at most reconnect_buffer_bytes while the server is gone, refuses the rest (no ACK)', async () => {
    const ns = `rb${RUN}`;
    const metricsPort = await freePort();
    const statusPort = await freePort();
    const gateway = await natsGateway(
      ns,
      { reconnect_wait_ms: 200, reconnect_buffer_bytes: 4_000 },
      { monitoring: { prometheus_metrics_port: metricsPort }, status_port: statusPort },
    );
    try {
      const vin = TEST_VINS[0];
      const vehicle = await gateway.vehicle(vin);
      vehicle.send(frame(vin, 'rb-up'));
      expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: 'rb-up' });
      const bytesBefore = await waitForMetric(metricsPort, 'nats_publish_total_bytes', { record_type: 'V' }, (n) => n > 0);
      await stopService('nats');
      try {
        // The client noticed: the sink reports unhealthy and /readyz says so.
        expect(await untilReadyz(statusPort, 503)).toContain('nats');
        const size = frame(vin, 'x', 40).byteLength;
        const count = Math.ceil((3 * 4_000) / size);
        for (let i = 0; i < count; i++) vehicle.send(frame(vin, `rb-${i}`, 40));
        await waitForMetric(metricsPort, 'gateway_sink_refused_total', { sink: 'nats', record_type: 'V' }, (n) => n > 0);
        const refused = await metricValue(metricsPort, 'gateway_sink_refused_total', { sink: 'nats', record_type: 'V' });
        const published = await waitForMetric(metricsPort, 'nats_publish_total', { record_type: 'V' }, (n) => n - 1 + refused === count);
        const bytes = await metricValue(metricsPort, 'nats_publish_total_bytes', { record_type: 'V' });
        // What was taken while disconnected fits the bound; everything else was refused.
        expect(published).toBeGreaterThan(1);
        expect(bytes - bytesBefore).toBeLessThanOrEqual(4_000);
      } finally {
        await startService('nats', JS);
      }
      await vehicle.close();
    } finally {
      await gateway.stop();
    }
  }, 120_000);
});
