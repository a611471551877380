/**
 * The `kafka` config block is passed to librdkafka as properties (PROTOCOL.md §10.1): JSON numbers
 * are truncated to integers, strings and booleans pass unchanged. Keys starting with `go.` are
 * options of upstream's Go wrapper: `go.delivery.reports` is always on here (delivery reports are
 * how a record is counted delivered), the others have no meaning for this gateway and are reported.
 *
 * librdkafka's topic-level properties (acks, message.timeout.ms, …) must go to node-rdkafka's topic
 * config: node-rdkafka creates each topic with its own topic config, so the same keys in the global
 * config are silently ignored (seen with node-rdkafka 3.6.1: `message.timeout.ms` had no effect).
 */
type Properties = Record<string, string | number | boolean>;

export interface ProducerProperties {
  global: Properties;
  topic: Properties;
  ignoredKeys: string[];
}

/** librdkafka's producer-side topic properties (CONFIGURATION.md, "Topic configuration properties"). */
const TOPIC_PROPERTIES = new Set([
  'request.required.acks',
  'acks',
  'request.timeout.ms',
  'message.timeout.ms',
  'delivery.timeout.ms',
  'queuing.strategy',
  'produce.offset.report',
  'partitioner',
  'compression.codec',
  'compression.type',
  'compression.level',
]);
/** Keys librdkafka has at both levels: kept in both configs. */
const BOTH_LEVELS = new Set(['compression.codec', 'compression.type']);

export function producerProperties(block: Readonly<Record<string, unknown>>): ProducerProperties {
  const global: Properties = {};
  const topic: Properties = {};
  const ignoredKeys: string[] = [];
  for (const [key, value] of Object.entries(block)) {
    if (key.startsWith('go.')) {
      if (key !== 'go.delivery.reports') ignoredKeys.push(key);
      continue;
    }
    let property: string | number | boolean;
    if (typeof value === 'number') property = Math.trunc(value);
    else if (typeof value === 'string' || typeof value === 'boolean') property = value;
    else throw new Error(`config key "kafka.${key}": librdkafka properties are strings, numbers or booleans, got ${JSON.stringify(value)}`);
    if (TOPIC_PROPERTIES.has(key)) topic[key] = property;
    if (!TOPIC_PROPERTIES.has(key) || BOTH_LEVELS.has(key)) global[key] = property;
  }
  // Delivery reports drive reliable ACKs and error counting.
  global.dr_cb = true;
  return { global, topic, ignoredKeys };
}
