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
  return new SerialSender(socket, zap);
}

/**
 * zeromq allows one send in progress per socket (a second one throws EBUSY), so sends wait in a
 * FIFO here; a PUB socket never blocks (it drops at the high-water mark), so the queue drains fast.
 */
class SerialSender implements ZmqPublisher {
  private readonly waiting: { frames: [Buffer, Buffer]; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private head = 0;
  private busy = false;

  constructor(
    private readonly socket: Publisher,
    private readonly zap: ZapHandler | undefined,
  ) {}

  get queued(): number {
    return this.waiting.length - this.head + (this.busy ? 1 : 0);
  }

  send(frames: [Buffer, Buffer]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ frames, resolve, reject });
      if (!this.busy) this.next();
    });
  }

  private next(): void {
    if (this.head === this.waiting.length) {
      this.waiting.length = 0;
      this.head = 0;
      this.busy = false;
      return;
    }
    const item = this.waiting[this.head];
    this.waiting[this.head++] = undefined as never; // let it be collected
    this.busy = true;
    let sent: Promise<void>;
    try {
      sent = this.socket.send(item.frames);
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(item.resolve, item.reject).finally(() => this.next());
  }

  async close(): Promise<void> {
    this.socket.close();
    this.zap?.close();
  }
}
