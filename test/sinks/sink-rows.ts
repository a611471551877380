/**
 * One row per sink for the sink compliance suite (compliance.test.ts): how to start its real broker,
 * configure the gateway for it, and read back what it delivered as `Delivered` entries. A new sink
 * gets every compliance case by adding a row here.
 */
import { startService } from '../harness/services';
import type { GatewayProcess } from '../harness/gateway-process';
import { KafkaReader } from '../harness/kafka-reader';
import { KinesisReader, TEST_AWS_ENV } from '../harness/kinesis-reader';
import { PubsubReader } from '../../bench/readback/pubsub-reader';
import { MqttReader } from '../harness/mqtt-reader';
import { RedisReader } from '../harness/redis-reader';
import { ZmqReader } from '../harness/zmq-reader';
import { freePort } from '../../shared/free-port';
import { decode, fieldNumber, payloadTypeFor } from '../../shared/protobuf';
import type { DecodedMessage, Payload } from '../../shared/protobuf';
import { NATS_HTTP_ROWS } from './nats-http-rows';

export const RECORD_TYPES = ['V', 'alerts', 'errors', 'connectivity'] as const;

/** One record as the consumer of a sink sees it. */
export interface Delivered {
  recordType: string;
  vin: string;
  /** The 7 metadata entries, for sinks that carry them. */
  metadata?: Record<string, string>;
  /** V records: the `VehicleName` datum (the suite numbers records with it). */
  vehicleName?: string;
}

export interface Observer {
  /** What arrived so far, in arrival order. */
  delivered(): Delivered[];
  /** Messages of any kind received so far (the zmq row's join markers included). */
  received(): number;
  /** Resolves once the predicate holds over what arrived. */
  waitUntil(predicate: (d: Delivered[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface SinkRow {
  sink: string;
  /** The row's name when a sink has several (redis: a server, a cluster). */
  label?: string;
  /** test/services/<name>; absent for sinks without a broker. */
  service?: string;
  /** Starts the broker for these namespaces (streams/topics to create) and returns its variables. */
  start(namespaces: string[]): Promise<Record<string, string>>;
  /** Config keys for a gateway using this sink in namespace `ns` (the suite adds `records` and `namespace`). */
  config(env: Record<string, string>, ns: string): Record<string, unknown>;
  /** Environment of the gateway process. */
  gatewayEnv?(env: Record<string, string>): Record<string, string>;
  /** Reads what the sink delivers for namespace `ns`; absent: nothing can be read back (null). */
  observe?(env: Record<string, string>, ns: string, gateway: GatewayProcess): Promise<Observer>;
  /** Whether records carry the 7 metadata entries. */
  carriesMetadata: boolean;
  /** false: the broker does not keep a vehicle's records in order for a consumer (the reason says why). */
  keepsOrder?: { ordered: false; reason: string };
  /** Whether it can be a reliable-ack source (and with what extra config). */
  reliable?: { config?: Record<string, unknown> };
  /** The sink's own §11.2 counters that move when V records are delivered (label record_type=V). */
  metrics: string[];
  /**
   * A config (and environment) whose broker cannot be reached, and the startup error it gives; or,
   * with `waits` (Kafka, which upstream connects to lazily too), the log line that says what the
   * gateway waits for while it listens, unready.
   */
  unreachable?: { config(port: number): Record<string, unknown>; env?(port: number): Record<string, string>; error: RegExp; waits?: true };
  /** Records other than the four known types (the zmq row's join markers). */
  extraRecords?: string[];
  /** Runs before records are sent, with a connected vehicle (zmq: wait out the slow joiner). */
  join?(send: (topic: string, txid: string, payload: Uint8Array) => Promise<void>, observer: Observer): Promise<void>;
  /** Gateway topology it needs (zmq: one worker). */
  workers?: number;
  /** Why the SIGTERM drain case cannot run for this row (it needs a second gateway). */
  noDrainCase?: string;
}

const VEHICLE_NAME = fieldNumber('VehicleName');

/** `VehicleName` of a V payload (protobuf). */
function vehicleNameOf(message: DecodedMessage): string | undefined {
  const datum = (message as Payload).data?.find((d) => d.key === VEHICLE_NAME);
  const v = datum?.value?.value;
  return v?.case === 'string_value' ? v.value : undefined;
}

/** Decodes a dispatched protobuf payload of a known type; the VIN inside it when the sink carries no other. */
function decoded(recordType: string, bytes: Uint8Array): DecodedMessage | undefined {
  const type = payloadTypeFor(recordType);
  if (type === undefined) return undefined;
  const d = decode(type, bytes);
  return d.ok ? d.message : undefined;
}

function fromPayload(recordType: string, vin: string | undefined, bytes: Uint8Array, metadata?: Record<string, string>): Delivered {
  const message = decoded(recordType, bytes);
  return {
    recordType,
    vin: vin ?? (message as { vin?: string } | undefined)?.vin ?? '',
    metadata,
    vehicleName: recordType === 'V' && message !== undefined ? vehicleNameOf(message) : undefined,
  };
}

/** An observer over a list computed on demand; `wait` resolves when the condition holds or the time is up. */
function observer(
  list: () => Delivered[],
  wait: (condition: () => boolean, timeoutMs: number) => Promise<unknown>,
  close: () => Promise<void> | void,
  received: () => number = () => list().length,
): Observer {
  return {
    delivered: list,
    received,
    async waitUntil(predicate, timeoutMs = 30_000) {
      await wait(() => predicate(list()), timeoutMs).catch(() => undefined);
      if (!predicate(list())) throw new Error(`condition not met within ${timeoutMs} ms (${list().length} delivered)`);
    },
    async close() {
      await close();
    },
  };
}

/** Polls an async source (kinesis) until a predicate holds. */
async function poll(read: () => Promise<void>, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await read();
    if (condition() || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

const topicType = (topic: string, ns: string): string => topic.slice(ns.length + 1);

const noStart = async (): Promise<Record<string, string>> => ({});

/**
 * The Redis rows: one server, or a cluster. Channels are `<ns>_<type>_{<VIN>}` (publish_vin_topics);
 * records carry no metadata.
 */
function redisRow(
  service: string,
  addrs: (env: Record<string, string>) => string[],
  unreachableExtra: Record<string, unknown>,
  label?: string,
): SinkRow {
  return {
    sink: 'redis',
    ...(label === undefined ? {} : { label }),
    service,
    start: () => startService(service),
    config: (env) => ({ redis: { addrs: addrs(env), publish_vin_topics: true } }),
    carriesMetadata: false,
    reliable: {},
    metrics: ['redis_publish_total', 'redis_publish_total_bytes', 'redis_reliable_ack_total'],
    async observe(env, ns) {
      const reader = await RedisReader.open(addrs(env), `${ns}_*`);
      const list = () =>
        reader.messages.map((m) => {
          const match = /^(.*)_\{(.*)\}$/.exec(topicType(m.channel, ns));
          return fromPayload(match?.[1] ?? '', match?.[2] ?? '', m.payload);
        });
      return observer(
        list,
        (c, t) => reader.waitUntil(c, t),
        () => reader.close(),
      );
    },
    unreachable: {
      config: (port) => ({ redis: { addrs: [`127.0.0.1:${port}`], ...unreachableExtra, publish_vin_topics: true } }),
      error: /redis_connect_error/,
    },
  };
}

export const SINK_ROWS: SinkRow[] = [
  {
    sink: 'logger',
    start: noStart,
    config: () => ({}),
    carriesMetadata: true,
    metrics: [],
    async observe(_env, _ns, gateway) {
      const list = () =>
        gateway.logs
          .filter((l) => l.msg === 'record_payload' && (l.metadata as Record<string, string> | undefined)?.txtype !== undefined)
          .map((l) => {
            const metadata = l.metadata as Record<string, string>;
            const data = l.data as Record<string, unknown> | undefined;
            return {
              recordType: metadata.txtype,
              vin: String(l.vin),
              metadata,
              vehicleName: typeof data?.VehicleName === 'string' ? data.VehicleName : undefined,
            };
          });
      return observer(
        list,
        (c, t) => gateway.waitForLog(() => c(), t),
        () => undefined,
      );
    },
  },
  {
    sink: 'null',
    start: noStart,
    config: () => ({}),
    carriesMetadata: false,
    reliable: {},
    metrics: [],
  },
  {
    sink: 'kafka',
    service: 'kafka',
    start: (namespaces) =>
      startService('kafka', { KAFKA_TOPICS: namespaces.flatMap((ns) => RECORD_TYPES.map((t) => `${ns}_${t}`)).join(',') }),
    config: (env) => ({ kafka: { 'bootstrap.servers': env.KAFKA_BROKERS } }),
    carriesMetadata: true,
    reliable: {},
    metrics: ['kafka_produce_total', 'kafka_produce_ack_total', 'kafka_reliable_ack_total'],
    async observe(env, ns) {
      const reader = await KafkaReader.open(
        env.KAFKA_BROKERS,
        RECORD_TYPES.map((t) => `${ns}_${t}`),
      );
      const list = () => reader.messages.map((m) => fromPayload(topicType(m.topic, ns), m.key, m.value, m.headers));
      return observer(
        list,
        (c, t) => reader.waitUntil(c, t),
        () => reader.close(),
      );
    },
    unreachable: {
      config: (port) => ({ kafka: { 'bootstrap.servers': `127.0.0.1:${port}` } }),
      error: /waiting for bootstrap\.servers=127\.0\.0\.1:\d+/, // the kafka_not_connected line
      waits: true,
    },
  },
  {
    sink: 'kinesis',
    service: 'kinesis',
    start: (namespaces) =>
      startService('kinesis', { KINESIS_STREAMS: namespaces.flatMap((ns) => RECORD_TYPES.map((t) => `${ns}_${t}`)).join(',') }),
    config: (env) => ({ kinesis: { override_host: env.KINESIS_ENDPOINT } }),
    gatewayEnv: () => TEST_AWS_ENV,
    carriesMetadata: false,
    reliable: {},
    metrics: ['kinesis_publish_total', 'kinesis_publish_total_bytes', 'kinesis_reliable_ack_total'],
    async observe(env, ns) {
      const reader = new KinesisReader(env.KINESIS_ENDPOINT);
      let current: Delivered[] = [];
      const read = async () => {
        const next: Delivered[] = [];
        for (const t of RECORD_TYPES) for (const r of await reader.read(`${ns}_${t}`)) next.push(fromPayload(t, r.partitionKey, r.data));
        current = next;
      };
      await read();
      return observer(
        () => current,
        (c, t) => poll(read, c, t),
        () => reader.close(),
      );
    },
    unreachable: {
      config: (port) => ({ kinesis: { override_host: `http://127.0.0.1:${port}`, max_retries: 0 } }),
      env: () => TEST_AWS_ENV,
      error: /failed to list streams \(test connection\): .*ECONNREFUSED/,
    },
  },
  {
    sink: 'pubsub',
    service: 'pubsub',
    start: () => startService('pubsub'),
    config: () => ({ pubsub: { gcp_project_id: 'compliance' } }),
    gatewayEnv: (env) => env,
    carriesMetadata: true,
    keepsOrder: { ordered: false, reason: 'Pub/Sub delivers without order unless ordering keys are used, and upstream uses none' },
    reliable: {},
    metrics: ['pubsub_publish_total', 'pubsub_publish_total_bytes', 'pubsub_reliable_ack_total'],
    async observe(env, ns) {
      const reader = new PubsubReader(env.PUBSUB_EMULATOR_HOST, 'compliance');
      for (const t of RECORD_TYPES) await reader.subscribe(`${ns}_${t}`);
      const list = () => reader.messages.map((m) => fromPayload(topicType(m.topic, ns), m.attributes.vin, m.data, m.attributes));
      return observer(
        list,
        (c, t) => reader.waitUntil(c, t),
        () => reader.close(),
      );
    },
    unreachable: {
      config: () => ({ pubsub: { gcp_project_id: 'compliance', connect_timeout_ms: 2_000 } }),
      env: (port) => ({ PUBSUB_EMULATOR_HOST: `127.0.0.1:${port}`, METADATA_SERVER_DETECTION: 'none' }),
      error: /pubsub_topic_creation_error topic_name=\w+ txType=\w+: /,
    },
  },
  {
    sink: 'mqtt',
    service: 'mqtt',
    start: () => startService('mqtt'),
    // topic_base is the namespace here: `<ns>/<VIN>/v/<Field>`, `<ns>/<VIN>/alerts/…`.
    config: (env, ns) => ({ mqtt: { broker: env.MQTT_BROKER, topic_base: ns, qos: 1, connect_retry_interval_ms: 200 } }),
    carriesMetadata: false,
    reliable: {},
    metrics: ['mqtt_publish_total', 'mqtt_publish_total_bytes', 'mqtt_reliable_ack_total'],
    async observe(env, ns) {
      const reader = await MqttReader.open(env.MQTT_BROKER, `${ns}/#`);
      const list = () =>
        reader.messages.flatMap((m): Delivered[] => {
          const [, vin, kind, field] = m.topic.split('/');
          if (kind === 'v') return field === 'VehicleName' ? [{ recordType: 'V', vin, vehicleName: JSON.parse(m.text) as string }] : [];
          if (kind === 'alerts') return m.topic.endsWith('/history') ? [{ recordType: 'alerts', vin }] : [];
          return [{ recordType: kind, vin }];
        });
      return observer(
        list,
        (c, t) => reader.waitUntil(c, t),
        () => reader.close(),
      );
    },
    unreachable: {
      config: (port) => ({ mqtt: { broker: `127.0.0.1:${port}`, qos: 1 } }),
      error: /connection attempt timed out after 5s/,
    },
  },
  redisRow('redis', (env) => [env.REDIS_ADDR], {}),
  redisRow('redis-cluster', (env) => env.REDIS_CLUSTER_ADDRS.split(','), { cluster_mode: true }, 'redis cluster'),
  {
    sink: 'zmq',
    start: async () => ({ ZMQ_ADDR: `tcp://127.0.0.1:${await freePort()}` }),
    config: (env) => ({ zmq: { addr: env.ZMQ_ADDR } }),
    carriesMetadata: false,
    metrics: ['zmq_publish_total', 'zmq_publish_total_bytes'],
    workers: 1,
    extraRecords: ['marker'],
    noDrainCase: 'a second gateway cannot bind the address the suite’s gateway holds; a PUB socket drops what no subscriber takes anyway',
    async observe(env, ns) {
      const reader = new ZmqReader();
      reader.start(env.ZMQ_ADDR, `${ns}_`);
      const list = () =>
        reader.messages.filter((m) => m.topic !== `${ns}_marker`).map((m) => fromPayload(topicType(m.topic, ns), undefined, m.payload));
      return observer(
        list,
        (c, t) => reader.waitUntil(c, t),
        () => reader.close(),
        () => reader.messages.length,
      );
    },
    async join(send, observe) {
      // PUB drops what it sends before a subscription arrived: send markers until one gets through.
      for (let i = 0; observe.received() === 0; i++) {
        if (i === 200) throw new Error('the ZMQ subscriber never received a marker');
        await send('marker', `join-${i}`, Buffer.from('marker'));
        await observe.waitUntil(() => observe.received() > 0, 200).catch(() => undefined);
      }
    },
    unreachable: {
      // A ZMQ PUB socket has no broker: the startup failure is an address it cannot bind.
      config: () => ({ zmq: { addr: 'tcp://192.0.2.1:5284' } }),
      error: /config key \\?"zmq.addr\\?": cannot bind tcp:\/\/192.0.2.1:5284/,
    },
  },
  ...NATS_HTTP_ROWS,
];
