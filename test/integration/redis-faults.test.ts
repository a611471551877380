/**
 * The Redis sink against a redis-server of this file's own with the smallest `proto-max-bulk-len`
 * (1 MiB): a dispatched payload above it (JSON of a frame under the 1 MB frame limit, with
 * `transmit_decoded_records`) is a fault the sink must survive.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { RedisReader } from '../harness/redis-reader';
import { waitForMetric } from '../harness/metric-poll';
import { freePort } from '../../shared/free-port';
import { streamFrame } from '../../bench/vehicle/records';
import { encode, fieldNumber, payloadTypeFor } from '../../shared/protobuf';

const [SMALL_VIN, BIG_VIN] = TEST_VINS;
const MAX_BULK_BYTES = 1_048_576; // redis' minimum proto-max-bulk-len
const START_TIMEOUT_MS = 30_000;
let server: ChildProcess;
let addr: string;

beforeAll(async () => {
  const port = await freePort();
  addr = `127.0.0.1:${port}`;
  server = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--proto-max-bulk-len', String(MAX_BULK_BYTES)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${output}`)), START_TIMEOUT_MS);
    server.stdout?.setEncoding('utf8');
    server.stdout?.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    server.once('exit', (code) => reject(new Error(`redis-server exited (code ${code}):\n${output}`)));
  });
}, 60_000);
afterAll(async () => {
  if (server?.exitCode === null) {
    const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
    server.kill('SIGTERM');
    await exited;
  }
});

const namePayload = (vin: string, name: string) =>
  encode(payloadTypeFor('V'), {
    data: [{ key: fieldNumber('VehicleName'), value: { value: { case: 'string_value', value: name } } }],
    vin,
  });

describe('redis payload larger than the server accepts', () => {
  it('fails that record (no ACK, counted); the connection comes back and carries the others', async () => {
    const reader = await RedisReader.open([addr], 'rf_V_*');
    const metricsPort = await freePort();
    const gateway = await GatewayProcess.start({
      config: {
        gateway: { workers: 1, dispatch_threads: 1 },
        namespace: 'rf',
        transmit_decoded_records: true,
        monitoring: { prometheus_metrics_port: metricsPort },
        records: { V: ['redis'] },
        reliable_ack_sources: { V: 'redis' },
        redis: { addrs: [addr], publish_vin_topics: true },
      },
    });
    try {
      const big = await gateway.vehicle(BIG_VIN);
      const small = await gateway.vehicle(SMALL_VIN);
      // 600,000 quotes: a frame under 1 MB whose JSON (each quote escaped) is over 1.2 MB.
      const frame = streamFrame({ topic: 'V', txid: 'too-big', payload: namePayload(BIG_VIN, '"'.repeat(600_000)), vin: BIG_VIN });
      expect(frame.byteLength).toBeLessThan(1_000_000);
      const sentAt = gateway.logs.length;
      big.send(frame);
      // redis answers a protocol error and closes the connection; the command fails, unacknowledged.
      // Which error the client reports depends on which of the two it reads first: the reply, or the
      // close (then the command is failed as not retried).
      const failed = await gateway.waitForLog((l) => l.msg === 'redis_err' && l.txid === 'too-big');
      expect(failed.error).toMatch(/invalid bulk length|max retries per request/);
      expect(big.pendingReplies).toBe(0);
      await waitForMetric(metricsPort, 'redis_err', { record_type: 'V' }, (v) => v >= 1);
      // The client does not resend it: the next connection stays up and carries other vehicles.
      await gateway.waitForLog((l) => l.msg === 'redis_reconnected' && gateway.logs.indexOf(l) >= sentAt);
      small.send(streamFrame({ topic: 'V', txid: 'small', payload: namePayload(SMALL_VIN, 'small'), vin: SMALL_VIN }));
      expect(await small.nextReply()).toMatchObject({ kind: 'ack', txid: 'small' });
      await reader.waitUntil(() => reader.byChannel(`rf_V_{${SMALL_VIN}}`).length === 1);
      expect(reader.byChannel(`rf_V_{${BIG_VIN}}`)).toEqual([]);
      await big.close();
      await small.close();
    } finally {
      await gateway.stop();
      await reader.close();
    }
  }, 60_000);
});
