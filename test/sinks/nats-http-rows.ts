/**
 * The compliance-suite rows of our own `nats` (JetStream) and `http` sinks; sink-rows.ts appends them
 * to `SINK_ROWS`.
 */
import { startService } from '../harness/services';
import { NatsReader } from '../harness/nats-reader';
import { WebhookReceiver } from '../harness/webhook-receiver';
import { decode, fieldNumber, payloadTypeFor } from '../../shared/protobuf';
import type { Payload } from '../../shared/protobuf';
import type { Delivered, Observer, SinkRow } from './sink-rows';

/** `VehicleName` of a V payload (the suite numbers records with it). */
function vehicleName(recordType: string, bytes: Uint8Array): string | undefined {
  if (recordType !== 'V') return undefined;
  const d = decode(payloadTypeFor('V'), bytes);
  if (!d.ok) return undefined;
  const v = (d.message as Payload).data?.find((x) => x.key === fieldNumber('VehicleName'))?.value?.value;
  return v?.case === 'string_value' ? v.value : undefined;
}

function observer(
  list: () => Delivered[],
  wait: (check: () => boolean, timeoutMs: number) => Promise<void>,
  close: () => Promise<void>,
): Observer {
  return {
    delivered: list,
    received: () => list().length,
    async waitUntil(predicate, timeoutMs = 30_000) {
      await wait(() => predicate(list()), timeoutMs).catch(() => undefined);
      if (!predicate(list())) throw new Error(`condition not met within ${timeoutMs} ms (${list().length} delivered)`);
    },
    close,
  };
}

/** The receiver of the http row lives in the test process, from `start` to the observer's close. */
let receiver: WebhookReceiver | undefined;

export const NATS_HTTP_ROWS: SinkRow[] = [
  {
    sink: 'nats',
    service: 'nats',
    start: () => startService('nats', { NATS_JETSTREAM: '1' }),
    // JetStream, so that the row can be a reliable-ack source; the subjects are `<ns>.<type>.<VIN>`.
    config: (env, ns) => ({ nats: { url: env.NATS_URL, jetstream: { enabled: true, stream: `CS_${ns}`, create_stream: true } } }),
    carriesMetadata: true,
    reliable: {},
    metrics: ['nats_publish_total', 'nats_publish_total_bytes', 'nats_reliable_ack_total'],
    async observe(env, ns) {
      const reader = await NatsReader.connect(env.NATS_URL, false);
      await reader.subscribe(`${ns}.>`);
      const list = () =>
        reader.messages.map((m) => {
          const [, recordType, vin] = m.subject.slice(ns.length).split('.');
          return { recordType, vin, metadata: m.headers, vehicleName: vehicleName(recordType, m.data) };
        });
      return observer(
        list,
        (c, t) => reader.waitUntil(c, t),
        () => reader.close(),
      );
    },
    unreachable: {
      config: (port) => ({ nats: { url: `nats://127.0.0.1:${port}` } }),
      error: /CONNECTION_REFUSED/,
    },
  },
  {
    sink: 'http',
    async start() {
      receiver = await WebhookReceiver.start(() => 204);
      return { WEBHOOK_URL: receiver.url };
    },
    config: (env) => ({ http: { url: env.WEBHOOK_URL, max_delay_ms: 5 } }),
    carriesMetadata: true,
    reliable: {},
    metrics: ['http_publish_total', 'http_publish_total_bytes', 'http_reliable_ack_total'],
    async observe() {
      const r = receiver;
      if (r === undefined) throw new Error('http row: start first');
      const list = () =>
        r.delivered().map((x) => ({
          recordType: x.record_type,
          vin: x.vin,
          metadata: x.metadata,
          vehicleName: vehicleName(x.record_type, Buffer.from(x.payload ?? '', 'base64')),
        }));
      return observer(
        list,
        (c, t) => r.waitUntil(c, t),
        () => r.close(),
      );
    },
    // The receiver is not contacted at startup: no unreachable case (records fail later, counted).
  },
];
