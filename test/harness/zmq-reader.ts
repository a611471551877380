/**
 * A real ZeroMQ SUB socket that collects [topic, payload] messages from the gateway's PUB socket.
 * PUB drops what it sends before a subscription has arrived ("slow joiner"): `join` sends marker
 * records through the gateway until one arrives.
 */
import { Subscriber } from 'zeromq';

export interface ZmqReceived {
  topic: string;
  payload: Buffer;
}

export class ZmqReader {
  readonly messages: ZmqReceived[] = [];
  private waiters: (() => void)[] = [];
  readonly socket: Subscriber;

  constructor(options: { curveServerKey?: string; curvePublicKey?: string; curveSecretKey?: string } = {}) {
    this.socket = new Subscriber(options);
  }

  start(addr: string, prefix: string): void {
    this.socket.connect(addr);
    this.socket.subscribe(prefix);
    void (async () => {
      try {
        for await (const [topic, payload] of this.socket) {
          this.messages.push({ topic: topic.toString(), payload });
          for (const w of this.waiters.splice(0)) w();
        }
      } catch {
        // closed
      }
    })();
  }

  /** Resolves true once the condition holds, false when `timeoutMs` passed first. */
  async waitUntil(condition: () => boolean, timeoutMs = 15_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  close(): void {
    this.socket.close();
  }
}
