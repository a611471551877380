/**
 * Floods: a vehicle that sends without ever reading its replies (they fill the kernel's buffers,
 * then the socket's outbound buffer in the gateway; at that buffer's bound the session ends,
 * `socket_err`, counted in `socket_err_total`, instead of buffering without end), and a storm of
 * pings (each answered with a pong by the WebSocket layer, §2.4, and the frames around them still
 * get their replies), and handshakes that never finish: TCP without TLS, and a WebSocket upgrade
 * sent one byte per second (slowloris), which uWebSockets.js closes at its own deadline. Other
 * vehicles are answered as usual.
 */
import { readFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { GatewayProcess, TEST_VINS } from '../harness/gateway-process';
import { RawVehicle, rawFrame } from '../harness/raw-vehicle';
import { streamFrame } from '../../bench/vehicle/records';

let gateway: GatewayProcess;
beforeAll(async () => {
  gateway = await GatewayProcess.start({ config: { gateway: { workers: 1 } } });
});
afterAll(async () => {
  await gateway?.stop();
});

it('ends the session of a vehicle that never reads its replies, at the outbound bound', async () => {
  const vin = TEST_VINS[1];
  const flooder = await RawVehicle.connect(gateway, vin);
  flooder.stopReading();
  let open = true;
  void flooder.ended.then(() => (open = false));
  // Unconfigured topic from the vehicle itself: ACKed without sink work. Long txids make big ACKs.
  const frame = (i: number) =>
    rawFrame(0x2, streamFrame({ topic: 'flood', txid: `${'x'.repeat(400)}-${i}`, payload: Uint8Array.of(1), vin, senderId: vin }));
  for (let i = 0; open && i < 1_000_000; i += 100) {
    flooder.write(Buffer.concat(Array.from({ length: 100 }, (_, k) => frame(i + k))));
    await new Promise((r) => setImmediate(r));
  }
  await flooder.ended;
  const error = await gateway.waitForLog((l) => l.msg === 'socket_err');
  expect(error.error).toBe('reply dropped: outbound buffer full');
  // Another vehicle is answered as usual.
  const other = await gateway.vehicle(TEST_VINS[0]);
  other.send(streamFrame({ topic: 'flood', txid: 'after', payload: Uint8Array.of(1), vin: TEST_VINS[0], senderId: TEST_VINS[0] }));
  expect((await other.nextReply()).txid).toBe('after');
  await other.close();
}, 300_000);

it('answers a storm of pings with pongs and still replies to the frames around them', async () => {
  const vin = TEST_VINS[2];
  const vehicle = await RawVehicle.connect(gateway, vin);
  const frame = (txid: string) => rawFrame(0x2, streamFrame({ topic: 'flood', txid, payload: Uint8Array.of(1), vin, senderId: vin }));
  const pings = 5_000;
  vehicle.write(
    Buffer.concat([frame('before'), ...Array.from({ length: pings }, (_, i) => rawFrame(0x9, Buffer.from(String(i)))), frame('after')]),
  );
  await vehicle.waitForFrames((frames) => frames.filter((f) => f.opcode === 0x2).length === 2);
  await vehicle.waitForFrames((frames) => frames.filter((f) => f.opcode === 0xa).length === pings);
  const pongs = vehicle.frames.filter((f) => f.opcode === 0xa).map((f) => f.payload.toString());
  expect(pongs).toEqual(Array.from({ length: pings }, (_, i) => String(i)));
  const other = await gateway.vehicle(TEST_VINS[0]);
  other.send(streamFrame({ topic: 'flood', txid: 'other', payload: Uint8Array.of(1), vin: TEST_VINS[0], senderId: TEST_VINS[0] }));
  expect((await other.nextReply()).txid).toBe('other');
  await other.close();
  vehicle.destroy();
}, 120_000);

it('closes a connection that never starts TLS, and an upgrade request sent one byte per second', async () => {
  const port = Number(new URL(gateway.url).port);
  const silent = new Promise<void>((resolve) => {
    const socket = connectTcp(port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
  const request = [
    'GET / HTTP/1.1',
    'Host: 127.0.0.1',
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    '',
    '',
  ].join('\r\n');
  const cert = gateway.pki.vehicles[TEST_VINS[3]];
  const slow = new Promise<{ sent: number; received: string }>((resolve) => {
    const socket = connectTls({
      host: '127.0.0.1',
      port,
      ca: readFileSync(gateway.pki.caCert),
      cert: readFileSync(cert.cert),
      key: readFileSync(cert.key),
      checkServerIdentity: () => undefined,
    });
    let sent = 0;
    let received = '';
    socket.on('error', () => undefined);
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    // The load's pace, not a synchronisation: one byte a second, as a slowloris client sends.
    const timer = setInterval(() => {
      if (sent < request.length) socket.write(request[sent++]);
    }, 1000);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ sent, received });
    });
  });
  // While both wait, other vehicles are served.
  const other = await gateway.vehicle(TEST_VINS[0]);
  other.send(streamFrame({ topic: 'flood', txid: 'meanwhile', payload: Uint8Array.of(1), vin: TEST_VINS[0], senderId: TEST_VINS[0] }));
  expect((await other.nextReply()).txid).toBe('meanwhile');
  await other.close();
  await silent; // closed by the server: this client never sends a byte
  const { sent, received } = await slow;
  expect(sent).toBeLessThan(request.length); // closed before the request was complete
  expect(received).not.toMatch(/^HTTP\/1\.1 101/);
}, 120_000);
