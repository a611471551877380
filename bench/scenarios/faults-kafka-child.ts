/**
 * The fault matrix's independent Kafka consumer (its own process: node-rdkafka's consumer can crash
 * its process on shutdown). Reads one topic from the earliest offset with a fresh group and prints
 * `<txid> <partition>:<offset>` for each message, one per line (a message read twice is one copy);
 * `ready` once subscribed.
 * Usage: node faults-kafka-child.js BROKERS TOPIC
 */
import { randomUUID } from 'node:crypto';
import { KafkaConsumer } from 'node-rdkafka';

const [brokers, topic] = process.argv.slice(2);
const consumer = new KafkaConsumer(
  { 'group.id': `faults-${randomUUID()}`, 'metadata.broker.list': brokers, 'enable.auto.commit': false },
  { 'auto.offset.reset': 'earliest' },
);
consumer.on('data', (m) => {
  let txid = '';
  for (const h of m.headers ?? []) for (const [k, v] of Object.entries(h)) if (k === 'txid') txid = Buffer.from(v).toString();
  process.stdout.write(`${txid} ${m.partition}:${m.offset}\n`);
});
consumer.connect({ timeout: 30_000 }, (error) => {
  if (error) {
    process.stderr.write(`faults kafka reader: ${error.message}\n`);
    process.exit(1);
  }
  consumer.subscribe([topic]);
  consumer.consume();
  process.stdout.write('ready\n');
});
