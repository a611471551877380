/**
 * The dispatch pool's public entry, used by a worker's main thread: M lanes, each a single-thread
 * piscina pool. A session is bound to one lane for its life, and a lane runs one batch at a time,
 * so a connection's records reach sinks, and its replies come back, in arrival order
 * (ARCHITECTURE.md "Order"). Reliable-ack confirmations come back on each lane's settlement port.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import Piscina from 'piscina';
import type { DispatchBatch, LaneControl, LaneMessage, LaneResult } from '../shared/batch';
import type { GatewayConfig } from '../config';
import type { LaneData } from './dispatch-thread';

/** The compiled thread entry; from sources (ts-jest) the build output is used. */
function threadEntry(): string {
  const beside = join(__dirname, 'dispatch-thread.js');
  return existsSync(beside) ? beside : join(__dirname, '..', 'dist', 'dispatch-workers', 'dispatch-thread.js');
}

export class DispatchLanes {
  private readonly lanes: Piscina[] = [];
  private readonly ports: MessageChannel[] = [];

  constructor(config: GatewayConfig, count: number, onMessage: (lane: number, message: LaneMessage) => void) {
    const workerData: LaneData = { config };
    for (let lane = 0; lane < count; lane++) {
      const pool = new Piscina({
        filename: threadEntry(),
        minThreads: 1,
        maxThreads: 1,
        idleTimeout: Number.POSITIVE_INFINITY,
        // Bounded upstream: each session sheds frames beyond its in-flight bound.
        maxQueue: Number.POSITIVE_INFINITY,
        // Without it piscina 5 re-queues a task it could not hand out at the TAIL, reordering a
        // lane's batches (seen with piscina 5.3: 0,2,4,1,5,3 on one thread).
        stricterFIFO: true,
        // With atomics piscina parks an idle thread in Atomics.wait, so a pool sink's network
        // replies (and reliable-ACK confirmations) would wait for the next batch.
        atomics: 'disabled',
        workerData,
      });
      const channel = new MessageChannel();
      channel.port1.on('message', (m: LaneMessage) => onMessage(lane, m));
      this.lanes.push(pool);
      this.ports.push(channel);
    }
  }

  get count(): number {
    return this.lanes.length;
  }

  /** Starts every lane's thread (and its sinks) and attaches its settlement port. */
  async start(): Promise<void> {
    await Promise.all(
      this.lanes.map((pool, lane) => {
        const port = this.ports[lane].port2;
        const control: LaneControl = { control: 'attach-settlements', port };
        return pool.run(control, { transferList: [port] });
      }),
    );
  }

  run(lane: number, batch: DispatchBatch): Promise<LaneResult> {
    return this.lanes[lane].run(batch, { transferList: [batch.frames, batch.index] }) as Promise<LaneResult>;
  }

  /** Lets every lane finish its queued batches, closes (flushes) its sinks, then stops the threads. */
  async close(): Promise<void> {
    const close: LaneControl = { control: 'close' };
    await Promise.all(this.lanes.map((pool) => pool.run(close)));
    await Promise.all(this.lanes.map((pool) => pool.destroy()));
    for (const channel of this.ports) channel.port1.close();
  }
}
