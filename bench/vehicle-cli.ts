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

async function main(): Promise<void> {
  const { values } = parseArgs({
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
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const count = Number(values.count);
  const datums = Number(values.datums);
  if (!Number.isInteger(count) || count < 1) throw new Error(`--count must be a positive integer, got ${values.count}`);
  if (!Number.isInteger(datums) || datums < 1) throw new Error(`--datums must be a positive integer, got ${values.datums}`);
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

main().catch((error: unknown) => {
  process.stderr.write(`vehicle: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(1);
});
