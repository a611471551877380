import { createLogger } from '../../../shared/log';
import { bindPublisher } from './zmq-socket';

const logger = createLogger({ json: true, level: 'silent' });

test('many sends at once all complete, in order (zeromq itself allows one send in progress)', async () => {
  const socket = await bindPublisher(
    { addr: `inproc://zmq-socket-test-${process.pid}`, server_key_json_path: '', allowed_public_keys_json_path: '', verbose: false },
    logger,
  );
  const order: number[] = [];
  const sends = Array.from({ length: 20_000 }, (_, i) => socket.send([Buffer.from('t'), Buffer.from(String(i))]).then(() => order.push(i)));
  expect(socket.queued).toBeGreaterThan(0);
  await Promise.all(sends);
  expect(order).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
  expect(socket.queued).toBe(0);
  await socket.close();
});
