/**
 * Micro-benchmark of one record's transform (dispatch-workers/pipeline/transform-payload.ts), full
 * path (decode → transforms → encode) against the protobuf passthrough, interleaved in one process
 * on the bench's own V records, so a busy machine slows both alike. Prints CPU µs per record (this
 * process's user + system time, median of the rounds) and the ratios.
 *
 *   npm run build --silent && node dist/bench/micro/transform-payload.js [--records 2000] [--rounds 15]
 */
import { parseArgs } from 'node:util';
import { seededRandom, vehicleDataPayload } from '../vehicle/records';
import { transformPayload } from '../../dispatch-workers/pipeline/transform-payload';

const { values } = parseArgs({ options: { records: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '31' } } });
const VIN = '5YJ3E1EA7KF100001';
const rand = seededRandom(1);
const records = Array.from({ length: Number(values.records) }, () => vehicleDataPayload(VIN, 20 + Math.floor(rand() * 41), rand));
const bytes = records.reduce((n, r) => n + r.length, 0);

interface Variant {
  name: string;
  payloadNeeded: boolean;
  decodedNeeded: boolean;
}
const VARIANTS: Variant[] = [
  { name: 'full path, payload read (Kafka before)', payloadNeeded: true, decodedNeeded: true },
  { name: 'passthrough, payload read (Kafka now)', payloadNeeded: true, decodedNeeded: false },
  { name: 'full path, nothing read (null sink before)', payloadNeeded: false, decodedNeeded: true },
  { name: 'passthrough, nothing read (null sink now)', payloadNeeded: false, decodedNeeded: false },
];

let sink = 0;
function round(v: Variant): number {
  const start = process.cpuUsage();
  for (const payload of records) {
    const r = transformPayload('V', payload, VIN, false, v.payloadNeeded, v.decodedNeeded);
    if (r.ok) sink += r.payload.length + r.signals;
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / records.length;
}

for (const v of VARIANTS) for (let i = 0; i < 3; i++) round(v); // warm-up
const samples = VARIANTS.map(() => [] as number[]);
for (let i = 0; i < Number(values.rounds); i++) VARIANTS.forEach((v, k) => samples[k].push(round(v)));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const us = samples.map(median);
console.log(`${records.length} V records, ${Math.round(bytes / records.length)} bytes on average, ${values.rounds} interleaved rounds`);
VARIANTS.forEach((v, k) => console.log(`${v.name.padEnd(45)} ${us[k].toFixed(2).padStart(7)} µs/record`));
console.log(`ratio, payload read: ${(us[0] / us[1]).toFixed(1)}×; nothing read: ${(us[2] / us[3]).toFixed(1)}×${sink < 0 ? '' : ''}`);
