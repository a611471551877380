/**
 * Metrics of the whole process tree (PROTOCOL.md §11, §5.2, §7, §8; DEVIATIONS.md D2, D4, D9):
 * records of every type and malformed frames from connections on both workers, then ONE scrape
 * whose reference counters equal what was sent; the §11.2 catalogue's names, types and labels; the
 * same counts as StatsD lines over UDP.
 */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import type { VehicleConnection } from '../../bench/vehicle/vehicle-client';
import { alertsPayload, errorsPayload, seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';
import { writeAck } from '../../shared/envelope/write-frame';
import { transformPayload } from '../../dispatch-workers/pipeline/transform-payload';
import { CATALOGUE, catalogueEntry } from '../../shared/metrics';
import { freePort } from '../../shared/free-port';
import { httpGet, parsePrometheus } from './metrics-scrape';
import type { Scrape } from './metrics-scrape';

const rand = seededRandom(11);
const TRACKED_VIN = TEST_VINS[0];
const V_DATUMS = 20;
/** Upstream's observe-only limiter when rate_limit is off (§8): 100 messages per 60 s per connection. */
const OBSERVE_ONLY_LIMIT = 100;

/** What was sent, to compare with the counters. */
class Expected {
  records = new Map<string, number>();
  bytes = new Map<string, number>();
  signals = new Map<string, number>();
  trackedSignals = new Map<string, number>();
  replies = 0;
  add(topic: string, payload: Uint8Array, vin: string): void {
    const transformed = transformPayload(topic, payload, vin, false);
    if (!transformed.ok) throw new Error(`test payload for ${topic} does not transform`);
    const bump = (m: Map<string, number>, n: number) => m.set(topic, (m.get(topic) ?? 0) + n);
    bump(this.records, 1);
    bump(this.bytes, transformed.payload.length);
    bump(this.signals, transformed.signals);
    if (vin === TRACKED_VIN) bump(this.trackedSignals, transformed.signals);
  }
}

/** Opens connections until the kernel spread them over at least two workers. */
async function connectOverWorkers(gateway: GatewayProcess, minimum: number): Promise<{ vehicles: VehicleConnection[]; vins: string[] }> {
  const vehicles: VehicleConnection[] = [];
  const vins: string[] = [];
  const pids = () => new Set(gateway.logs.filter((l) => l.msg === 'socket_connected').map((l) => l.pid));
  for (let i = 0; i < 40 && (vehicles.length < minimum || pids().size < 2); i++) {
    const vin = TEST_VINS[i % TEST_VINS.length];
    vehicles.push(await gateway.vehicle(vin));
    vins.push(vin);
    await gateway.waitForLog(() => gateway.logs.filter((l) => l.msg === 'socket_connected').length >= vehicles.length);
  }
  expect(pids().size).toBe(2);
  return { vehicles, vins };
}

async function scrape(port: number): Promise<Scrape> {
  const res = await httpGet(port, '/metrics');
  expect(res.status).toBe(200);
  expect(String(res.headers['content-type'])).toContain('text/plain; version=0.0.4');
  return parsePrometheus(res.body);
}

describe('Prometheus, 2 workers × 2 lanes', () => {
  let gateway: GatewayProcess;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    gateway = await GatewayProcess.start({
      workers: 2,
      dispatchThreads: 2,
      config: {
        records: { V: ['logger'], alerts: ['logger'], errors: ['logger'], connectivity: ['logger'], other: ['logger'] },
        vins_signal_tracking_enabled: [TRACKED_VIN],
        monitoring: { prometheus_metrics_port: metricsPort },
      },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  const expected = new Expected();
  let acks = 0;
  let errors = 0;
  let openConnections = 0;

  it('counts records of every type, errors and limits exactly, summed over the workers (one scrape)', async () => {
    const { vehicles, vins } = await connectOverWorkers(gateway, 8);
    openConnections = vehicles.length;
    const replies = vehicles.map(() => 0);
    const send = (i: number, frame: Uint8Array) => {
      vehicles[i].send(frame);
      replies[i]++;
    };
    vehicles.forEach((_, i) => {
      const vin = vins[i];
      for (let n = 0; n < 3; n++) {
        const payload = vehicleDataPayload(vin, V_DATUMS, rand);
        expected.add('V', payload, vin);
        send(i, streamFrame({ topic: 'V', txid: `v-${i}-${n}`, payload, vin }));
      }
      for (let n = 0; n < 2; n++) {
        const payload = alertsPayload(vin, rand);
        expected.add('alerts', payload, vin);
        send(i, streamFrame({ topic: 'alerts', txid: `a-${i}-${n}`, payload, vin }));
      }
      const payload = errorsPayload(vin);
      expected.add('errors', payload, vin);
      send(i, streamFrame({ topic: 'errors', txid: `e-${i}`, payload, vin }));
    });
    // Connection 0: every error outcome of §5.2, a configured non-protobuf type and an unconfigured one.
    const vin0 = vins[0];
    const other = Uint8Array.of(1, 2, 3);
    expected.add('other', other, vin0);
    send(0, streamFrame({ topic: 'other', txid: 'other-1', payload: other, vin: vin0 }));
    expected.add('unconfigured', other, vin0);
    send(0, streamFrame({ topic: 'unconfigured', txid: 'unconf-1', payload: other, vin: vin0, senderId: vin0 }));
    send(0, randomBytes(3)); // unreadable envelope
    send(0, streamFrame({ topic: 'V', txid: 'bad-proto', payload: Uint8Array.of(0xff, 0xff, 0xff), vin: vin0 }));
    send(0, streamFrame({ topic: 'unconfigured', txid: 'spoof', payload: other, vin: vin0, senderId: 'vehicle_device.SOMEONE' }));
    send(0, streamFrame({ topic: 'V', txid: 'big', payload: new Uint8Array(1_000_001), vin: vin0 }));
    send(0, writeAck('odd-type', 'V')); // D2: unknown message type 5
    send(0, writeAck('odd-type-2', 'V'));
    const malformed = 3;
    const tooBig = 1;
    const unknownType = 2;
    // Connection 1 goes past the observe-only limit: counted, still answered (§8, rate_limit off).
    const limited = 6;
    const sentOn1 = replies[1];
    for (let n = 0; n < OBSERVE_ONLY_LIMIT - sentOn1 + limited; n++) {
      const payload = vehicleDataPayload(vins[1], V_DATUMS, rand);
      expected.add('V', payload, vins[1]);
      send(1, streamFrame({ topic: 'V', txid: `limit-${n}`, payload, vin: vins[1] }));
    }

    for (const [i, vehicle] of vehicles.entries()) {
      for (let n = 0; n < replies[i]; n++) {
        const reply = await vehicle.nextReply();
        if (reply.kind === 'ack') acks++;
        else errors++;
      }
    }
    expect(errors).toBe(malformed + tooBig);

    const s = await scrape(metricsPort);
    for (const [type, n] of expected.records) {
      expect([type, s.value('record_total', { record_type: type })]).toEqual([type, n]);
      expect([type, s.value('dispatch_total', { record_type: type })]).toEqual([type, n]);
      expect([type, s.value('record_size_bytes_total', { record_type: type })]).toEqual([type, expected.bytes.get(type)]);
      expect([type, s.value('signal_count', { record_type: type })]).toEqual([type, expected.signals.get(type)]); // D4
    }
    for (const [type, n] of expected.trackedSignals) expect(s.value('vin_signal_count', { record_type: type, vin: TRACKED_VIN })).toBe(n);
    expect(s.value('vin_signal_count', { record_type: 'V', vin: vins[1] })).toBeUndefined(); // not tracked
    expect(s.value('unexpected_record_err_total')).toBe(malformed + tooBig);
    expect(s.value('record_too_big_total')).toBe(tooBig);
    // D2: unknown types count only here, not as a record of type "".
    expect(s.value('unknown_message_type_error_total', { msg_type: '\u0005' })).toBe(unknownType);
    expect(s.value('record_total', { record_type: '' })).toBeUndefined();
    // §7: connectivity records are not counted, although CONNECTED events were dispatched.
    expect(s.value('record_total', { record_type: 'connectivity' })).toBeUndefined();
    expect(s.value('rate_limit_exceeded_total', { device_id: vins[1], txtype: 'V' })).toBe(limited);
    expect(s.value('unauthorized_sender_id_total')).toBe(0); // S5
    expect(s.value('socket_err_total')).toBe(0);
    expect(s.value('num_connections')).toBe(openConnections);
    expect(s.value('gateway_replies_total', { kind: 'ack' })).toBe(acks);
    expect(s.value('gateway_replies_total', { kind: 'error' })).toBe(errors);
    expect(s.value('gateway_workers_listening')).toBe(2);
    // Our own: every frame went through a batch of some lane.
    expect(s.value('gateway_batch_frames_count')).toBeGreaterThan(0);
    expect(s.value('gateway_dispatch_task_seconds_count')).toBe(s.value('gateway_batch_frames_count'));
    // Node runtime metrics per process.
    for (const worker of ['primary', '0', '1']) expect(s.value('nodejs_heap_size_used_bytes', { worker })).toBeGreaterThan(0);
    await Promise.all(vehicles.map((v) => v.close()));
  });

  it('exposes the §11.2 catalogue with its names, types and labels, and nothing unknown', async () => {
    const s = await scrape(metricsPort);
    const missing = CATALOGUE.filter((m) => m.owner === 'gateway' && s.types.get(m.name) !== m.type).map((m) => m.name);
    expect(missing).toEqual([]);
    const histogramPart = /_(bucket|sum|count)$/;
    for (const sample of s.samples) {
      if (/^(process|nodejs)_/.test(sample.name)) {
        expect(Object.keys(sample.labels)).toContain('worker');
        continue;
      }
      const entry = catalogueEntry(sample.name) ?? catalogueEntry(sample.name.replace(histogramPart, ''));
      expect([sample.name, entry !== undefined]).toEqual([sample.name, true]);
      const labels = Object.keys(sample.labels).filter((l) => !(l === 'le' && sample.name.endsWith('_bucket')));
      expect([sample.name, labels.sort()]).toEqual([sample.name, [...(entry?.labels ?? [])].sort()]);
    }
  });

  it('keeps counting across a worker restart (counters never go back)', async () => {
    const before = await scrape(metricsPort);
    const victim = gateway.logs.find((l) => l.msg === 'worker_listening')?.worker_pid as number;
    const listened = gateway.logs.filter((l) => l.msg === 'worker_listening').length;
    process.kill(victim, 'SIGKILL');
    await gateway.waitForLog(() => gateway.logs.filter((l) => l.msg === 'worker_listening').length > listened);
    const after = await scrape(metricsPort);
    for (const type of expected.records.keys()) {
      expect(after.value('record_total', { record_type: type })).toBe(before.value('record_total', { record_type: type }));
    }
    expect(after.value('gateway_worker_restarts_total')).toBe(1);
    expect(after.value('num_connections')).toBe(0);
  });
});

describe('StatsD (monitoring.statsd, D9 clean tags)', () => {
  let gateway: GatewayProcess;
  let udp: Socket;
  const lines: string[] = [];
  beforeAll(async () => {
    udp = createSocket('udp4');
    udp.on('message', (datagram) => lines.push(...datagram.toString('utf8').split('\n')));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    gateway = await GatewayProcess.start({
      workers: 2,
      config: { monitoring: { statsd: { host: `127.0.0.1:${udp.address().port}`, prefix: 'ft.', flush_period: 50 } } },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    udp?.close();
  });

  /** Sum of the values of `<line>:<n>|c` lines. */
  const counted = (stem: string) =>
    lines.filter((l) => l.startsWith(`${stem}:`) && l.endsWith('|c')).reduce((sum, l) => sum + Number(l.slice(stem.length + 1, -2)), 0);

  async function until(check: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
    if (!check()) throw new Error(`StatsD lines never showed ${what}; got:\n${lines.slice(-40).join('\n')}`);
  }

  it('sends the same counters as lines over UDP, with clean tags', async () => {
    const { vehicles, vins } = await connectOverWorkers(gateway, 4);
    for (const [i, vehicle] of vehicles.entries()) {
      vehicle.send(streamFrame({ topic: 'V', txid: `s-${i}`, payload: vehicleDataPayload(vins[i], V_DATUMS, rand), vin: vins[i] }));
      vehicle.send(streamFrame({ topic: 'alerts', txid: `sa-${i}`, payload: alertsPayload(vins[i], rand), vin: vins[i] }));
    }
    vehicles[0].send(randomBytes(3));
    for (const [i, vehicle] of vehicles.entries()) for (let n = 0; n < (i === 0 ? 3 : 2); n++) await vehicle.nextReply();

    await until(() => counted('ft.record_total,record_type=V') === vehicles.length, 'record_total for V');
    await until(() => counted('ft.unexpected_record_err_total') === 1, 'unexpected_record_err_total');
    expect(counted('ft.record_total,record_type=alerts')).toBe(vehicles.length);
    expect(counted('ft.dispatch_total,record_type=V')).toBe(vehicles.length);
    // Gauge adds carry a sign (§11.4); signal_count adds the signals of each accepted record (D4).
    const signalLines = lines.filter((l) => l.startsWith('ft.signal_count,record_type=V:'));
    expect(signalLines.length).toBeGreaterThan(0);
    expect(signalLines.every((l) => /^ft\.signal_count,record_type=V:\+\d+\|g$/.test(l))).toBe(true);
    // D9: no empty `=` placeholder tags, and label-less metrics carry no tags.
    expect(lines.filter((l) => l.includes(',=') || l.includes('=,'))).toEqual([]);
    expect(lines.some((l) => /^ft\.unexpected_record_err_total:1\|c$/.test(l))).toBe(true);
    await until(() => lines.some((l) => /^ft\.num_connections:\d+\|g$/.test(l)), 'num_connections');
    await Promise.all(vehicles.map((v) => v.close()));
  });
});

describe('rate limiting enforced (D3)', () => {
  it('counts denied messages by device and txtype, and as unanswered', async () => {
    const metricsPort = await freePort();
    const gateway = await GatewayProcess.start({
      config: {
        rate_limit: { enabled: true, message_limit: 2, message_interval_time: 60 },
        monitoring: { prometheus_metrics_port: metricsPort },
      },
    });
    try {
      const vin = TEST_VINS[3];
      const vehicle = await gateway.vehicle(vin);
      const v = (txid: string) => streamFrame({ topic: 'V', txid, payload: vehicleDataPayload(vin, V_DATUMS, rand), vin });
      vehicle.send(v('ok-1'));
      vehicle.send(v('ok-2'));
      vehicle.send(v('denied-1'));
      vehicle.send(streamFrame({ topic: 'alerts', txid: 'denied-2', payload: alertsPayload(vin, rand), vin }));
      vehicle.send(randomBytes(3)); // unreadable: txtype ""
      expect((await vehicle.nextReply()).txid).toBe('ok-1');
      expect((await vehicle.nextReply()).txid).toBe('ok-2');
      const s = await scrape(metricsPort);
      expect(s.value('rate_limit_exceeded_total', { device_id: vin, txtype: 'V' })).toBe(1);
      expect(s.value('rate_limit_exceeded_total', { device_id: vin, txtype: 'alerts' })).toBe(1);
      expect(s.value('rate_limit_exceeded_total', { device_id: vin, txtype: '' })).toBe(1);
      expect(s.value('gateway_unanswered_frames_total', { reason: 'rate_limited' })).toBe(3);
      expect(s.value('record_total', { record_type: 'V' })).toBe(2);
      expect(s.value('signal_count', { record_type: 'V' })).toBe(2 * V_DATUMS); // D4: accepted records only
      await vehicle.close();
    } finally {
      await gateway.stop();
    }
  });
});
