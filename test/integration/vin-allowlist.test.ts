/**
 * `vin_allowlist` against the real gateway: unlisted VINs are closed with 1008 right after the
 * upgrade, and the file is re-read while vehicles are connected (added VINs get in, removed VINs
 * have their sessions closed, a broken file changes nothing).
 */
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import type { VehicleConnection } from '../../bench/vehicle/vehicle-client';
import { seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';

const [A, B, C] = TEST_VINS;
const rand = seededRandom(14);
const dir = mkdtempSync(join(tmpdir(), 'ft-vin-allowlist-'));
const path = join(dir, 'vins.txt');

/** Replaces the file the way an operator should: write a new one, rename it over the old. */
function writeAllowlist(text: string): void {
  writeFileSync(join(dir, 'next.txt'), text);
  renameSync(join(dir, 'next.txt'), path);
}

async function acked(vehicle: VehicleConnection, vin: string, txid: string): Promise<void> {
  vehicle.send(streamFrame({ topic: 'V', txid, payload: vehicleDataPayload(vin, 5, rand), vin }));
  const reply = await vehicle.nextReply();
  expect([reply.kind, reply.txid]).toEqual(['ack', txid]);
}

let gateway: GatewayProcess;
const loads = () => gateway.logs.filter((l) => l.msg === 'vin_allowlist_loaded').length;

beforeAll(async () => {
  writeAllowlist(`# test fleet\n${A}\n${C}  # a comment after a VIN\n`);
  gateway = await GatewayProcess.start({ config: { vin_allowlist: path } });
});
afterAll(async () => {
  await gateway?.stop();
});

it('admits listed VINs and closes others with 1008 after the upgrade, without a session', async () => {
  const a = await gateway.vehicle(A);
  await acked(a, A, 'a-1');
  const b = await gateway.vehicle(B); // the upgrade succeeds
  expect(await b.closed).toBe(1008);
  expect(b.closeReason).toBe('vin not allowed');
  const refused = await gateway.waitForLog((l) => l.msg === 'vin_refused');
  expect(refused.device_id).toBe(B);
  // No connectivity record and no socket_connected for the refused VIN.
  expect(gateway.logs.some((l) => l.msg === 'record_payload' && l.vin === B)).toBe(false);
  // A second refusal within the minute is counted but not logged again.
  const again = await gateway.vehicle(B);
  expect(await again.closed).toBe(1008);
  expect(gateway.logs.filter((l) => l.msg === 'vin_refused')).toHaveLength(1);
  await a.close();
});

it('reloads while vehicles are connected: an added VIN gets in, a removed one is closed', async () => {
  const a = await gateway.vehicle(A);
  const c = await gateway.vehicle(C);
  await acked(a, A, 'a-2');
  await acked(c, C, 'c-2');

  const before = loads();
  writeAllowlist(`${A}\n${B}\n${C}\n`);
  await gateway.waitForLog(() => loads() > before);
  const b = await gateway.vehicle(B);
  await acked(b, B, 'b-3');

  const beforeRemoval = loads();
  writeAllowlist(`${B}\n${C}\n`);
  expect(await a.closed).toBe(1008);
  expect(a.closeReason).toBe('vin not allowed');
  expect(loads()).toBeGreaterThan(beforeRemoval);
  expect(gateway.logs.find((l) => l.msg === 'vin_removed_session_closed')?.device_id).toBe(A);
  // The others keep their sessions.
  await acked(b, B, 'b-4');
  await acked(c, C, 'c-4');
  const refusedA = await gateway.vehicle(A);
  expect(await refusedA.closed).toBe(1008);

  // A broken file keeps the list in force.
  writeAllowlist(`${B} ${C}\n`);
  const error = await gateway.waitForLog((l) => l.msg === 'vin_allowlist_reload_error');
  expect(String(error.error)).toContain('line 1');
  await acked(c, C, 'c-5');
  const stillRefused = await gateway.vehicle(A);
  expect(await stillRefused.closed).toBe(1008);
  await Promise.all([b.close(), c.close()]);
});
