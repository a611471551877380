/**
 * The zeromq PUB socket behind the sink: bound at startup, CURVE when configured, socket events
 * DEBUG-logged with `verbose`. Loaded only where the sink is used.
 */
import { Publisher } from 'zeromq';
import type { Logger } from '../../../shared/log';
import type { ZmqBlock } from './config-block';
import { ZAP_DOMAIN, ZapHandler, readAllowedKeys, readServerSecret } from './curve';
import type { ZmqPublisher } from './zmq-sink';

/** How long close lets queued messages leave. */
const CLOSE_LINGER_MS = 1_000;

export async function bindPublisher(block: ZmqBlock, logger: Logger): Promise<ZmqPublisher> {
  const socket = new Publisher({ linger: CLOSE_LINGER_MS });
  let zap: ZapHandler | undefined;
  if (block.server_key_json_path !== '') {
    const secret = readServerSecret(block.server_key_json_path);
    const allowed = block.allowed_public_keys_json_path === '' ? new Set<string>() : readAllowedKeys(block.allowed_public_keys_json_path);
    zap = await ZapHandler.start(allowed);
    socket.curveServer = true;
    socket.curveSecretKey = secret;
    socket.zapDomain = ZAP_DOMAIN;
  }
  if (block.verbose) {
    for (const type of [
      'accept',
      'accept:error',
      'bind',
      'bind:error',
      'close',
      'close:error',
      'disconnect',
      'handshake',
      'handshake:error:auth',
      'handshake:error:protocol',
      'handshake:error:other',
    ] as const) {
      socket.events.on(type, (event) => {
        if (logger.isLevelEnabled('debug'))
          logger.debug(
            { event_type: event.type, addr: 'address' in event ? event.address : '', value: 'error' in event ? String(event.error) : '' },
            'zmq_socket_event',
          );
      });
    }
  }
  try {
    await socket.bind(block.addr);
  } catch (error) {
    socket.close();
    zap?.close();
    throw new Error(`config key "zmq.addr": cannot bind ${block.addr}: ${(error as Error).message}`, { cause: error });
  }
  return {
    send: (frames) => socket.send(frames),
    async close() {
      socket.close();
      zap?.close();
    },
  };
}
