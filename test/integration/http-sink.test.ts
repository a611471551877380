/**
 * The HTTP webhook sink against a real local HTTP receiver (test/harness/webhook-receiver.ts):
 * body, headers, gzip and signature; reliable ACKs only after the 2xx; a receiver failing 30 % of
 * requests at random (every ACKed record arrives, in order per VIN); a hanging receiver (timeouts,
 * no ACK, other traffic flows); a full queue (refused, never ACKed); a 400 (counted, not retried).
 */
import { createHmac } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { WebhookReceiver } from '../harness/webhook-receiver';
import type { Answer } from '../harness/webhook-receiver';
import { prng } from '../harness/prng';
import { freePort } from '../../shared/free-port';
import { waitForMetric } from '../harness/metric-poll';
import { alertsPayload, seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';
import { PayloadType, decode } from '../../shared/protobuf';
import type { Payload } from '../../shared/protobuf';

const rand = seededRandom(41);
const frame = (vin: string, txid: string, topic = 'V') =>
  streamFrame({ topic, txid, payload: topic === 'V' ? vehicleDataPayload(vin, 10, rand) : alertsPayload(vin, rand), vin });

function httpGateway(url: string, http: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return GatewayProcess.start({
    config: { records: { V: ['http'] }, reliable_ack_sources: { V: 'http' }, http: { url, ...http }, ...extra },
  });
}

describe('http sink', () => {
  it('POSTs signed, gzipped NDJSON with the configured headers, and ACKs only after the 2xx', async () => {
    let answer: Answer = 'hang';
    const receiver = await WebhookReceiver.start(() => answer);
    const gateway = await httpGateway(receiver.url, {
      format: 'ndjson',
      gzip: true,
      hmac_secret: 'test-secret',
      headers: { Authorization: 'Bearer abc' },
      max_records: 2,
      timeout_ms: 60_000,
    });
    try {
      const vin = TEST_VINS[0];
      const vehicle = await gateway.vehicle(vin, { Version: '2024.3' });
      vehicle.send(frame(vin, 'h-1'));
      vehicle.send(frame(vin, 'h-2'));
      await receiver.waitUntil(() => receiver.requests.length === 1);
      // The receiver holds the request: no ACK before its 2xx.
      expect(vehicle.pendingReplies).toBe(0);
      answer = 200;
      receiver.release(200);
      expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: 'h-1' });
      expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: 'h-2' });
      const [req] = receiver.requests;
      expect(req.method).toBe('POST');
      expect(req.headers).toMatchObject({
        'content-type': 'application/x-ndjson',
        'content-encoding': 'gzip',
        authorization: 'Bearer abc',
      });
      expect(req.headers['x-signature-256']).toBe('sha256=' + createHmac('sha256', 'test-secret').update(req.raw).digest('hex'));
      expect(gunzipSync(req.raw).toString().split('\n')).toHaveLength(3); // two lines and the final newline
      expect(req.records.map((r) => [r.record_type, r.vin, r.txid])).toEqual([
        ['V', vin, 'h-1'],
        ['V', vin, 'h-2'],
      ]);
      expect(req.records[0].metadata).toMatchObject({ vin, txid: 'h-1', txtype: 'V', device_client_version: '2024.3' });
      const decoded = decode(PayloadType, Buffer.from(req.records[0].payload ?? '', 'base64')) as { ok: true; message: Payload };
      expect(decoded.message.vin).toBe(vin);
      await vehicle.close();
    } finally {
      await gateway.stop();
      await receiver.close();
    }
  });

  it('with transmit_decoded_records, a JSON array whose records carry the decoded record inline as "data"', async () => {
    const receiver = await WebhookReceiver.start(() => 200);
    const gateway = await httpGateway(
      receiver.url,
      { max_delay_ms: 1 },
      { transmit_decoded_records: true, records: { V: ['http'], alerts: ['http'] } },
    );
    try {
      const vin = TEST_VINS[1];
      const vehicle = await gateway.vehicle(vin);
      vehicle.send(frame(vin, 'd-V'));
      vehicle.send(frame(vin, 'd-alerts', 'alerts'));
      // V is a reliable-ack type, alerts is not: its ACK may leave first.
      const replies = [await vehicle.nextReply(), await vehicle.nextReply()];
      expect(replies.map((r) => `${r.kind}:${r.txid}`).sort()).toEqual(['ack:d-V', 'ack:d-alerts']);
      await receiver.waitUntil(() => receiver.delivered().length === 2);
      expect(receiver.requests[0].headers['content-type']).toBe('application/json');
      const [v, alerts] = receiver.delivered();
      expect(v.payload).toBeUndefined();
      expect(v.data).toMatchObject({ vin, data: expect.any(Array) as unknown });
      expect(alerts.data).toMatchObject({ vin, alerts: expect.any(Array) as unknown });
      await vehicle.close();
    } finally {
      await gateway.stop();
      await receiver.close();
    }
  });

  it('a receiver failing 30 % of requests at random: every ACKed record arrives, in order per VIN', async () => {
    const random = prng(7);
    const receiver = await WebhookReceiver.start(() => {
      const x = random();
      if (x < 0.15) return 500;
      if (x < 0.22) return 503;
      if (x < 0.26) return 429;
      if (x < 0.3) return 'drop';
      return 200;
    });
    const metricsPort = await freePort();
    const gateway = await httpGateway(
      receiver.url,
      { max_records: 7, max_delay_ms: 5, retry_base_ms: 5, retry_max_ms: 50, retry_after_max_ms: 50, max_retries: 8 },
      { monitoring: { prometheus_metrics_port: metricsPort } },
    );
    try {
      const vins = TEST_VINS;
      const vehicles = await Promise.all(vins.map((vin) => gateway.vehicle(vin)));
      const perVin = 40;
      for (let i = 0; i < perVin; i++) vehicles.forEach((v, k) => v.send(frame(vins[k], `r-${k}-${i}`)));
      const acked: string[] = [];
      for (const v of vehicles)
        for (let i = 0; i < perVin; i++) {
          // A record that failed for good gets no reply (and the later ones still do).
          const reply = await v.nextReply(20_000).catch(() => undefined);
          if (reply === undefined) break;
          if (reply.kind === 'ack') acked.push(reply.txid);
        }
      expect(receiver.requests.some((r) => r.answer !== 200)).toBe(true);
      expect(acked.length).toBeGreaterThan(0);
      const delivered = receiver.delivered();
      const arrived = new Set(delivered.map((r) => r.txid));
      expect(acked.filter((t) => !arrived.has(t))).toEqual([]);
      for (const [k, vin] of vins.entries()) {
        // First arrivals of a VIN's records, in the order the receiver accepted them.
        const seen = new Set<string>();
        const order = delivered
          .filter((r) => r.vin === vin && !seen.has(r.txid) && seen.add(r.txid))
          .map((r) => Number(r.txid.split('-')[2]));
        expect(order).toEqual([...order].sort((a, b) => a - b));
        expect(order.length).toBeGreaterThan(0);
        expect(acked.filter((t) => t.startsWith(`r-${k}-`)).length).toBeLessThanOrEqual(order.length);
      }
      await waitForMetric(metricsPort, 'http_reliable_ack_total', { record_type: 'V' }, (n) => n === acked.length);
      await Promise.all(vehicles.map((v) => v.close()));
    } finally {
      await gateway.stop();
      await receiver.close();
    }
  }, 120_000);

  it('a hanging receiver: requests time out, no ACK, http_err counted; other record types still flow', async () => {
    const receiver = await WebhookReceiver.start(() => 'hang');
    const metricsPort = await freePort();
    const gateway = await httpGateway(
      receiver.url,
      { timeout_ms: 500, max_retries: 1, retry_base_ms: 10, max_delay_ms: 1 },
      { records: { V: ['http'], alerts: ['logger'] }, monitoring: { prometheus_metrics_port: metricsPort } },
    );
    try {
      const [vinA, vinB] = TEST_VINS;
      const stuck = await gateway.vehicle(vinA);
      const other = await gateway.vehicle(vinB);
      stuck.send(frame(vinA, 'hang-1'));
      await receiver.waitUntil(() => receiver.requests.length === 1);
      // While the receiver hangs, another vehicle's alerts (logger sink) are ACKed.
      other.send(frame(vinB, 'other-1', 'alerts'));
      expect(await other.nextReply()).toMatchObject({ kind: 'ack', txid: 'other-1' });
      const error = await gateway.waitForLog((l) => l.msg === 'http_err', 30_000);
      expect(String(error.error)).toMatch(/^timeout after 500 ms \(after 1 retries\)$/);
      expect(receiver.requests).toHaveLength(2); // the first try and one retry
      await waitForMetric(metricsPort, 'http_err', { record_type: 'V' }, (n) => n === 1);
      expect(stuck.pendingReplies).toBe(0);
      await Promise.all([stuck.close(), other.close()]);
    } finally {
      await gateway.stop();
      await receiver.close();
    }
  }, 60_000);

  it('a full queue refuses records (never ACKed), and ACKs only what it took once the receiver answers', async () => {
    const receiver = await WebhookReceiver.start(() => 'hang');
    const metricsPort = await freePort();
    const gateway = await httpGateway(
      receiver.url,
      { max_records: 1, max_concurrent_requests: 1, max_queued_records: 3, max_delay_ms: 1, timeout_ms: 60_000 },
      { monitoring: { prometheus_metrics_port: metricsPort } },
    );
    try {
      const vin = TEST_VINS[3];
      const vehicle = await gateway.vehicle(vin);
      for (let i = 0; i < 6; i++) vehicle.send(frame(vin, `q-${i}`));
      await waitForMetric(metricsPort, 'gateway_sink_refused_total', { sink: 'http', record_type: 'V' }, (n) => n === 3);
      expect(await waitForMetric(metricsPort, 'http_err', { record_type: 'V' }, (n) => n === 3)).toBe(3);
      expect(vehicle.pendingReplies).toBe(0);
      // One VIN: one request at a time, each released in turn.
      for (let i = 0; i < 3; i++) {
        await receiver.waitUntil(() => receiver.requests.length === i + 1);
        receiver.release(200);
        expect(await vehicle.nextReply()).toMatchObject({ kind: 'ack', txid: `q-${i}` });
      }
      expect(receiver.delivered().map((r) => r.txid)).toEqual(['q-0', 'q-1', 'q-2']);
      expect(vehicle.pendingReplies).toBe(0);
      await vehicle.close();
    } finally {
      await gateway.stop();
      await receiver.close();
    }
  });

  it('a 400 is counted and not retried', async () => {
    const receiver = await WebhookReceiver.start(() => 400);
    const metricsPort = await freePort();
    const gateway = await httpGateway(
      receiver.url,
      { max_delay_ms: 1, retry_base_ms: 1 },
      { monitoring: { prometheus_metrics_port: metricsPort } },
    );
    try {
      const vin = TEST_VINS[2];
      const vehicle = await gateway.vehicle(vin);
      vehicle.send(frame(vin, 'bad-1'));
      const error = await gateway.waitForLog((l) => l.msg === 'http_err');
      expect(error).toMatchObject({ error: 'HTTP 400 (not retried)', records: 1, first_txid: 'bad-1' });
      await waitForMetric(metricsPort, 'http_err', { record_type: 'V' }, (n) => n === 1);
      expect(receiver.requests).toHaveLength(1);
      expect(vehicle.pendingReplies).toBe(0);
      // The sink keeps working: the next record goes in its own request (and fails the same way).
      vehicle.send(frame(vin, 'bad-2'));
      await receiver.waitUntil(() => receiver.requests.length === 2);
      await waitForMetric(metricsPort, 'http_err', { record_type: 'V' }, (n) => n === 2);
      expect(receiver.requests.map((r) => r.records.map((x) => x.txid))).toEqual([['bad-1'], ['bad-2']]);
      await vehicle.close();
    } finally {
      await gateway.stop();
      await receiver.close();
    }
  });
});
