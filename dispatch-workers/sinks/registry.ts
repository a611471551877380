/**
 * Every sink the gateway knows, in the order upstream creates them (PROTOCOL.md §12.3 step 3), then
 * our own: `nats`, `http` (webhook) and `null` (for load tests).
 * A sink that is not here yet is an unknown dispatcher at startup (DEVIATIONS.md D8).
 */
import type { SinkDefinition } from './sink';
import { loggerSink } from './logger';
import { kafkaSink } from './kafka';
import { pubsubSink } from './pubsub';
import { kinesisSink } from './kinesis';
import { zmqSink } from './zmq';
import { mqttSink } from './mqtt';
import { redisSink } from './redis';
import { natsSink } from './nats';
import { httpSink } from './http';
import { nullSink } from './null';

export const SINKS: readonly SinkDefinition[] = [
  loggerSink,
  kafkaSink,
  pubsubSink,
  kinesisSink,
  zmqSink,
  mqttSink,
  redisSink,
  natsSink,
  httpSink,
  nullSink,
];

export function sinkDefinition(name: string): SinkDefinition | undefined {
  return SINKS.find((s) => s.name === name);
}
