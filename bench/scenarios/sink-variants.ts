/**
 * The sink configurations the sinks scenario measures: the logger, a null sink, and each broker
 * sink with and without reliable acks. A broker's address comes from its `test/services/<name>
 * start` lines. The blocks follow upstream's config examples; sinks that do not exist yet are found
 * out by the gateway itself (unknown dispatcher) and reported as not available.
 */
import { tmpdir } from 'node:os';

export interface SinkVariant {
  label: string;
  sink: string;
  reliable: boolean;
  /** test/services/<service> provides the broker. */
  service?: string;
  /** Extra variables for the service's `start` (e.g. streams to create). */
  serviceEnv?: Record<string, string>;
  /** The sink's config block from the service's KEY=VALUE lines. */
  block?: (env: Record<string, string>) => Record<string, unknown>;
  /** Variables the gateway needs (emulator hosts, dummy cloud credentials). */
  gatewayEnv?: (env: Record<string, string>) => Record<string, string>;
  /** The sink needs this many worker processes (zmq: one socket binds the address). */
  workers?: number;
}

interface Broker {
  sink: string;
  service?: string;
  serviceEnv?: Record<string, string>;
  block: (env: Record<string, string>) => Record<string, unknown>;
  /** The block of the reliable variant when it differs (nats: JetStream). */
  reliableBlock?: (env: Record<string, string>) => Record<string, unknown>;
  gatewayEnv?: (env: Record<string, string>) => Record<string, string>;
  /** false: it cannot be a reliable-ack source (zmq). */
  confirms?: false;
  workers?: number;
}

const BROKERS: Broker[] = [
  {
    sink: 'kafka',
    service: 'kafka',
    // The gateway does not create Kafka topics (PROTOCOL.md §10.1); `bench` is the bench's namespace.
    serviceEnv: { KAFKA_TOPICS: 'bench_V' },
    block: (e) => ({ 'bootstrap.servers': e.KAFKA_BROKERS ?? '127.0.0.1:19092', 'queue.buffering.max.ms': 5 }),
  },
  {
    sink: 'kinesis',
    service: 'kinesis',
    serviceEnv: { KINESIS_STREAMS: 'bench_V' },
    block: (e) => ({ override_host: e.KINESIS_ENDPOINT ?? 'http://127.0.0.1:14567', streams: { V: 'bench_V' } }),
    gatewayEnv: () => ({ AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', AWS_REGION: 'us-east-1' }),
  },
  {
    sink: 'pubsub',
    service: 'pubsub',
    block: () => ({ gcp_project_id: 'bench-project' }),
    gatewayEnv: (e) => ({ PUBSUB_EMULATOR_HOST: e.PUBSUB_EMULATOR_HOST ?? '127.0.0.1:18085', METADATA_SERVER_DETECTION: 'none' }),
  },
  // mqtt, redis, zmq: nobody subscribes during the run; the broker still acknowledges (PUBACK, PUBLISH's reply).
  {
    sink: 'mqtt',
    service: 'mqtt',
    block: (e) => ({ broker: e.MQTT_BROKER ?? '127.0.0.1:11883', client_id: 'bench', topic_base: 'telemetry', qos: 1 }),
  },
  { sink: 'redis', service: 'redis', block: (e) => ({ addrs: [e.REDIS_ADDR ?? '127.0.0.1:16379'], publish_vin_topics: true }) },
  {
    sink: 'nats',
    service: 'nats',
    // One server for both variants: core NATS without reliable acks, JetStream (PubAck) with.
    serviceEnv: { NATS_JETSTREAM: '1' },
    block: (e) => ({ url: e.NATS_URL ?? 'nats://127.0.0.1:14222' }),
    reliableBlock: (e) => ({
      url: e.NATS_URL ?? 'nats://127.0.0.1:14222',
      jetstream: { enabled: true, stream: 'BENCH', create_stream: true, max_bytes: 256 * 1024 * 1024, discard: 'old' },
    }),
  },
  { sink: 'http', service: 'webhook', block: (e) => ({ url: e.WEBHOOK_URL ?? 'http://127.0.0.1:18480/hook' }) },
  // An ipc:// address: no TCP port to collide with; one worker, and no reliable variant (a PUB socket cannot confirm).
  { sink: 'zmq', block: () => ({ addr: `ipc://${tmpdir()}/ft-bench-zmq-${process.pid}.sock` }), confirms: false, workers: 1 },
];

export const SINK_VARIANTS: SinkVariant[] = [
  { label: 'logger', sink: 'logger', reliable: false },
  { label: 'null', sink: 'null', reliable: false },
  { label: 'null reliable', sink: 'null', reliable: true },
  ...BROKERS.flatMap(({ reliableBlock, ...b }): SinkVariant[] => [
    { label: b.sink, reliable: false, ...b },
    ...(b.confirms === false ? [] : [{ label: `${b.sink} reliable`, reliable: true, ...b, block: reliableBlock ?? b.block }]),
  ]),
];

/** Config keys of a variant, merged over the bench's gateway defaults (`gateway`: the bench's block). */
export function variantConfig(v: SinkVariant, env: Record<string, string>, gateway?: Record<string, unknown>): Record<string, unknown> {
  const config: Record<string, unknown> = { records: { V: [v.sink] } };
  if (v.workers !== undefined && gateway !== undefined) config.gateway = { ...gateway, workers: v.workers };
  if (v.block !== undefined) config[v.sink] = v.block(env);
  if (v.reliable) config.reliable_ack_sources = { V: v.sink };
  return config;
}
