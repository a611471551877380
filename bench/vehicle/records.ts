/**
 * Realistic telemetry a simulated vehicle sends: `V` payloads with 20–60 datums (a location string,
 * numbers, strings, enums, doors), alerts and errors, encoded as real protobuf records and wrapped
 * in stream envelopes (PROTOCOL.md §4.4) exactly as a vehicle would.
 */
import { encode, enumInfo, payloadTypeFor } from '../../shared/protobuf';
import type { Datum, MessageInit, Payload, VehicleAlerts, VehicleErrors, ValueOneof } from '../../shared/protobuf';
import { writeStream } from '../../shared/envelope/write-frame';

/** A small deterministic PRNG so a run can be reproduced from its seed. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 0x1_0000_0000;
  };
}

type ValueMaker = (rand: () => number) => ValueOneof;

const number =
  (min: number, max: number): ValueMaker =>
  (r) => ({ case: 'double_value', value: Math.round((min + r() * (max - min)) * 100) / 100 });
const integer =
  (min: number, max: number): ValueMaker =>
  (r) => ({ case: 'int_value', value: Math.floor(min + r() * (max - min)) });
const flag: ValueMaker = (r) => ({ case: 'boolean_value', value: r() < 0.5 });

/** Field name → how its value is generated. Names are `telemetry.vehicle_data.Field` values. */
const GENERATORS: [string, ValueMaker][] = [
  ['VehicleSpeed', number(0, 130)],
  ['Odometer', number(1000, 90000)],
  ['Soc', number(5, 100)],
  ['BatteryLevel', number(5, 100)],
  ['EstBatteryRange', number(10, 400)],
  ['PackVoltage', number(340, 410)],
  ['PackCurrent', number(-50, 300)],
  ['InsideTemp', number(10, 35)],
  ['OutsideTemp', number(-10, 40)],
  ['TpmsPressureFl', number(2.5, 3.1)],
  ['TpmsPressureFr', number(2.5, 3.1)],
  ['TpmsPressureRl', number(2.5, 3.1)],
  ['TpmsPressureRr', number(2.5, 3.1)],
  ['GpsHeading', number(0, 360)],
  ['ChargeLimitSoc', integer(50, 100)],
  ['RatedRange', number(10, 400)],
  ['Locked', flag],
  ['SentryMode', flag],
  ['FastChargerPresent', flag],
  ['ChargePortDoorOpen', flag],
  ['VehicleName', (r) => ({ case: 'string_value', value: `Simulated ${Math.floor(r() * 1000)}` })],
  ['Version', () => ({ case: 'string_value', value: '2024.44.25 4c1a4b6a3f' })],
  ['BrakePedalPos', (r) => ({ case: 'string_value', value: `${(r() * 1e-5).toExponential(15)}` })],
  ['DestinationName', () => ({ case: 'string_value', value: 'Home' })],
  ['Gear', (r) => ({ case: 'shift_state_value', value: 1 + Math.floor(r() * 4) })],
  ['DetailedChargeState', (r) => ({ case: 'detailed_charge_state_value', value: 1 + Math.floor(r() * 5) })],
  [
    'DoorState',
    (r) => ({
      case: 'door_value',
      value: {
        DriverFront: r() < 0.1,
        DriverRear: false,
        PassengerFront: r() < 0.1,
        PassengerRear: false,
        TrunkFront: false,
        TrunkRear: r() < 0.05,
      },
    }),
  ],
  ['MinutesToArrival', number(0, 90)],
  ['MilesToArrival', number(0, 80)],
  ['CruiseSetSpeed', number(0, 130)],
];

let fieldNumbers: Map<string, number> | undefined;
function fieldNumber(name: string): number {
  fieldNumbers ??= enumInfo('telemetry.vehicle_data.Field').numberOf;
  const n = fieldNumbers.get(name);
  if (n === undefined) throw new Error(`unknown telemetry field ${name}`);
  return n;
}

function locationString(r: () => number): string {
  const lat = 37 + r();
  const lon = 122 + r();
  return `(${lat.toFixed(6)} N, ${lon.toFixed(6)} W)`;
}

function timestampNow(): { seconds: bigint; nanos: number } {
  const ms = Date.now();
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos: (ms % 1000) * 1_000_000 };
}

/** A `V` payload with `datums` data entries (20–60 typical); the first is always a location string. */
export function vehicleDataPayload(vin: string, datums: number, rand: () => number): Uint8Array {
  const data: MessageInit<Datum>[] = [
    { key: fieldNumber('Location'), value: { value: { case: 'string_value', value: locationString(rand) } } },
  ];
  for (let i = 1; i < datums; i++) {
    const [name, make] = GENERATORS[(i - 1) % GENERATORS.length];
    data.push({ key: fieldNumber(name), value: { value: make(rand) } });
  }
  const payload: MessageInit<Payload> = { data, created_at: timestampNow(), vin, is_resend: false };
  return encode(payloadTypeFor('V'), payload);
}

export function alertsPayload(vin: string, rand: () => number): Uint8Array {
  const started = BigInt(Math.floor(Date.now() / 1000) - Math.floor(rand() * 600));
  const alerts: MessageInit<VehicleAlerts> = {
    alerts: [
      { name: 'ChargePort_FaultDetected', audiences: [1, 2], started_at: { seconds: started, nanos: 0 } },
      { name: 'BMS_a066_SW_Over_Current', audiences: [2], started_at: { seconds: started, nanos: 0 }, ended_at: timestampNow() },
    ],
    created_at: timestampNow(),
    vin,
  };
  return encode(payloadTypeFor('alerts'), alerts);
}

export function errorsPayload(vin: string): Uint8Array {
  const errors: MessageInit<VehicleErrors> = {
    errors: [
      {
        created_at: timestampNow(),
        name: 'telemetry_stream_error',
        tags: { source: 'simulator', severity: 'low' },
        body: 'simulated error',
      },
    ],
    created_at: timestampNow(),
    vin,
  };
  return encode(payloadTypeFor('errors'), errors);
}

export interface StreamFrameOptions {
  topic: string;
  txid: string;
  payload: Uint8Array;
  /** Defaults to `vehicle_device.<vin>`. */
  senderId?: string;
  vin: string;
}

/** Wraps a payload in a stream envelope as a vehicle does. */
export function streamFrame(o: StreamFrameOptions): Uint8Array {
  return writeStream({
    senderId: o.senderId ?? `vehicle_device.${o.vin}`,
    topic: o.topic,
    txid: o.txid,
    payload: o.payload,
    createdAt: Math.floor(Date.now() / 1000),
    messageId: `${o.txid}-msg`,
    deviceType: 'vehicle_device',
    deviceId: o.vin,
    deliveredAt: 0n,
  });
}
