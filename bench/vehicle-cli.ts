/**
 * `npm run vehicle -- --vin <VIN> --count 10`: one simulated vehicle that connects with its client
 * certificate, sends real records and prints each reply.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomUUID } from 'node:crypto';
import { VehicleConnection } from './vehicle/vehicle-client';
import { alertsPayload, errorsPayload, seededRandom, streamFrame, vehicleDataPayload } from './vehicle/records';
import { packageRoot } from '../shared/package-root';

const USAGE = `usage: npm run vehicle -- [--vin VIN] [--count N] [--type V|alerts|errors|mixed] [--datums N]
                      [--url wss://127.0.0.1:4443/] [--pki DIR] [--cert FILE --key FILE --ca FILE]`;

/** The options; a wrong one is a usage error. */
function parseOptions() {
  try {
    return parseArgs({
      options: {
        vin: { type: 'string', default: '5YJ3E1EA7KF000001' },
        count: { type: 'string', default: '10' },
        type: { type: 'string', default: 'mixed' },
        datums: { type: 'string', default: '40' },
        url: { type: 'string', default: 'wss://127.0.0.1:4443/' },
        pki: { type: 'string', default: join(packageRoot(), '.dev', 'pki') },
        cert: { type: 'string' },
        key: { type: 'string' },
        ca: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

async function main(): Promise<void> {
  const { values } = parseOptions();
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const count = Number(values.count);
  const datums = Number(values.datums);
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`--count must be a positive integer, got ${values.count}`);
  if (!Number.isInteger(datums) || datums < 1) throw new UsageError(`--datums must be a positive integer, got ${values.datums}`);
  const types = values.type === 'mixed' ? ['V', 'alerts', 'errors'] : [values.type];
  const vin = values.vin;
  const pki = values.pki;
  const readPem = (path: string, what: string) => {
    try {
      return readFileSync(path);
    } catch {
      throw new Error(`cannot read the ${what} ${path}: start the dev gateway once (npm start) or pass --${what.split(' ')[0]}`);
    }
  };
  const connection = await VehicleConnection.connect({
    url: values.url,
    ca: readPem(values.ca ?? join(pki, 'ca.pem'), 'ca file'),
    cert: readPem(values.cert ?? join(pki, 'vehicles', `${vin}.pem`), 'cert file'),
    key: readPem(values.key ?? join(pki, 'vehicles', `${vin}.key`), 'key file'),
    headers: { Version: 'simulator-1', 'X-Network-Interface': 'wifi' },
  }).catch((error: unknown) => {
    throw new Error(explainConnectError(error, values.url));
  });
  process.stdout.write(`connected to ${values.url} as ${vin}\n`);
  const rand = seededRandom(Date.now());
  for (let i = 0; i < count; i++) {
    const topic = types[i % types.length];
    const payload =
      topic === 'V' ? vehicleDataPayload(vin, datums, rand) : topic === 'alerts' ? alertsPayload(vin, rand) : errorsPayload(vin);
    const txid = randomUUID();
    connection.send(streamFrame({ topic, txid, payload, vin }));
    const reply = await connection.nextReply();
    const detail = reply.kind === 'error' ? ` (${reply.errorText})` : '';
    process.stdout.write(
      `${i + 1}/${count} ${topic} txid=${txid} ${payload.length} B -> ${reply.kind.toUpperCase()} txid=${reply.txid}${detail}\n`,
    );
  }
  await connection.close();
}

/** Wrong options: the message and the usage. */
class UsageError extends Error {}

/** What a failed connection means to someone who just ran the simulator, and what to do. */
function explainConnectError(error: unknown, url: string): string {
  const first = error instanceof AggregateError && error.errors.length > 0 ? (error.errors[0] as unknown) : error;
  const code = (first as NodeJS.ErrnoException | undefined)?.code;
  const message = first instanceof Error ? first.message : String(first);
  switch (code) {
    case 'ECONNREFUSED':
      return `no gateway is listening at ${url}: start one (\`npm start\` in another terminal) or point --url at yours`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve the host of ${url}: check --url`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${url} does not answer (${code}): check --url and that nothing blocks the port`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `the gateway at ${url} presented a certificate this simulator does not trust (${code}): pass its CA with --ca, or --pki DIR`;
    default:
      return `cannot connect to ${url}: ${message}`;
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(error instanceof UsageError ? `vehicle: ${message}\n${USAGE}\n` : `vehicle: ${message}\n`);
  process.exit(1);
});
