/**
 * `connectivity.per_vin` with two workers: one CONNECTED when a VIN's first socket opens and one
 * DISCONNECTED when its last closes, whichever workers hold its sockets; a worker that dies with a
 * VIN's last socket still gets that VIN a DISCONNECTED.
 */
import { randomUUID } from 'node:crypto';
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import type { VehicleConnection } from '../../bench/vehicle/vehicle-client';

const [A, B] = TEST_VINS;

interface Socket {
  vehicle: VehicleConnection;
  id: string;
  pid: number;
}

let gateway: GatewayProcess;
beforeAll(async () => {
  gateway = await GatewayProcess.start({ workers: 2, config: { connectivity: { per_vin: true } } });
});
afterAll(async () => {
  await gateway?.stop();
});

async function connect(vin: string): Promise<Socket> {
  const id = randomUUID();
  const vehicle = await gateway.vehicle(vin, { 'X-TXID': id });
  const connected = await gateway.waitForLog((l) => l.msg === 'socket_connected' && l.txid === id);
  return { vehicle, id, pid: connected.pid as number };
}

/** The connectivity records of `vin` logged so far, in log order. */
function records(vin: string): [status: string, connectionId: string][] {
  return gateway.logs
    .filter((l) => l.msg === 'record_payload' && (l.metadata as { txtype?: string }).txtype === 'connectivity' && l.vin === vin)
    .map((l) => {
      const data = l.data as { Status: string; ConnectionID: string };
      return [data.Status, data.ConnectionID];
    });
}

it('emits one CONNECTED for the first socket and one DISCONNECTED for the last, across workers', async () => {
  const first = await connect(A);
  await gateway.waitForLog(() => records(A).length === 1);
  expect(records(A)).toEqual([['CONNECTED', first.id]]);

  // Sockets of the same VIN until one lands on the other worker (SO_REUSEPORT hashes source ports).
  let second: Socket | undefined;
  const sameWorker: Socket[] = [];
  for (let i = 0; i < 60 && second === undefined; i++) {
    const socket = await connect(A);
    if (socket.pid === first.pid) sameWorker.push(socket);
    else second = socket;
  }
  if (second === undefined) throw new Error('no socket of the VIN landed on the second worker');
  for (const socket of sameWorker) await socket.vehicle.close();

  await first.vehicle.close(); // the VIN still has a socket, on the other worker
  await second.vehicle.close();
  await gateway.waitForLog(() => records(A).length === 2);
  expect(records(A)).toEqual([
    ['CONNECTED', first.id],
    ['DISCONNECTED', second.id],
  ]);
});

it('a worker that dies with the last socket of a VIN: the other worker emits its DISCONNECTED', async () => {
  const socket = await connect(B);
  await gateway.waitForLog(() => records(B).length === 1);
  process.kill(socket.pid, 'SIGKILL');
  await gateway.waitForLog(() => records(B).length === 2);
  expect(records(B)).toEqual([
    ['CONNECTED', socket.id],
    ['DISCONNECTED', socket.id],
  ]);
  const emitter = gateway.logs.find(
    (l) => l.msg === 'record_payload' && l.vin === B && (l.data as { Status: string }).Status === 'DISCONNECTED',
  );
  expect(emitter?.pid).not.toBe(socket.pid);
});

it('drain: a VIN connected when the gateway stops gets its DISCONNECTED before the exit', async () => {
  const C = TEST_VINS[2];
  const socket = await connect(C);
  await gateway.waitForLog(() => records(C).length === 1);
  expect(await gateway.stop()).toBe(0);
  expect(records(C)).toEqual([
    ['CONNECTED', socket.id],
    ['DISCONNECTED', socket.id],
  ]);
});
