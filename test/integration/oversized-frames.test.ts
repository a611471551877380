/**
 * Frames above 1,000,000 bytes (PROTOCOL.md §2.4, §5.2): answered with ERROR and an empty txid, the
 * session going on, up to `gateway.max_websocket_message_bytes` (the per-connection memory bound,
 * default 64 MiB); above it the connection is closed (gateway/DEVIATIONS.md D13).
 */
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { streamFrame } from '../../bench/vehicle/records';
import { writeAck, writeError } from '../../shared/envelope/write-frame';

const VIN = TEST_VINS[0];
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const frame = (txid: string, size: number) => streamFrame({ topic: 'other', txid, payload: new Uint8Array(size), vin: VIN });

describe('with the default bound', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await GatewayProcess.start({ config: { records: { other: ['logger'] } } });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('answers a 17 MB frame with ERROR and keeps the session, as upstream', async () => {
    const vehicle = await gateway.vehicle(VIN);
    vehicle.send(frame('big', 17_000_000));
    expect(hex((await vehicle.nextReply(60_000)).bytes)).toBe(hex(writeError('')));
    vehicle.send(frame('after', 10));
    expect(hex((await vehicle.nextReply()).bytes)).toBe(hex(writeAck('after', 'other')));
    await vehicle.close();
  });
});

describe('with gateway.max_websocket_message_bytes = 2,000,000', () => {
  let gateway: GatewayProcess;
  beforeAll(async () => {
    gateway = await GatewayProcess.start({
      config: { records: { other: ['logger'] }, gateway: { workers: 1, dispatch_threads: 1, max_websocket_message_bytes: 2_000_000 } },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('answers ERROR within the bound and closes the connection beyond it', async () => {
    const vehicle = await gateway.vehicle(VIN);
    vehicle.send(frame('within', 1_500_000));
    expect(hex((await vehicle.nextReply()).bytes)).toBe(hex(writeError('')));
    vehicle.send(frame('beyond', 2_500_000));
    expect(await vehicle.closed).not.toBe(1000);
    expect(vehicle.pendingReplies).toBe(0);
  });
});
