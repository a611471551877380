// Reads whole Kafka topics and prints each message as one JSON line on stdout. Runs in its own
// process: node-rdkafka's consumer can crash the process on shutdown, which must not take jest down.
const { KafkaConsumer } = require('node-rdkafka');
const { randomUUID } = require('node:crypto');

const [brokers, topicList] = process.argv.slice(2);
const consumer = new KafkaConsumer(
  {
    'group.id': `test-${randomUUID()}`,
    'metadata.broker.list': brokers,
    'enable.auto.commit': false,
    'topic.metadata.refresh.interval.ms': 1000,
  },
  { 'auto.offset.reset': 'earliest' },
);
consumer.on('data', (m) => {
  const headers = {};
  const headerHex = {};
  for (const h of m.headers ?? [])
    for (const [k, v] of Object.entries(h)) {
      headers[k] = Buffer.from(v).toString();
      headerHex[k] = Buffer.from(v).toString('hex');
    }
  const line = {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    key: String(m.key),
    value: (m.value ?? Buffer.alloc(0)).toString('base64'),
    valueIsNull: m.value === null || m.value === undefined,
    headers,
    headerHex,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
});
consumer.connect({ timeout: 30000 }, (error) => {
  if (error) {
    process.stderr.write(`kafka reader: ${error.message}\n`);
    process.exit(1);
  }
  consumer.subscribe(topicList.split(','));
  consumer.consume();
  process.stdout.write('{"ready":true}\n');
});
