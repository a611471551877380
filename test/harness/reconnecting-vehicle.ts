/**
 * A vehicle that keeps sending while the gateway changes under it: a few frames in flight at all
 * times (the next one leaves when a reply comes), and a new connection (a new TLS handshake) as
 * soon as the gateway closes the current one, as a real vehicle does. It records what a test
 * checks: every ACKed txid, each close code, and every failed connection attempt.
 */
import { VehicleConnection } from '../../bench/vehicle/vehicle-client';
import { seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';

const WINDOW = 4;

export interface VehicleCredentials {
  url: string;
  ca: string;
  cert: Buffer;
  key: Buffer;
}

export class ReconnectingVehicle {
  readonly acked: string[] = [];
  readonly closeCodes: number[] = [];
  readonly failedConnects: string[] = [];
  connections = 0;
  private stopped = false;
  private sent = 0;
  private current: VehicleConnection | undefined;
  private readonly rand = seededRandom(13);
  private waiters: { until: () => boolean; resolve: () => void }[] = [];
  readonly done: Promise<void>;

  constructor(
    private readonly vin: string,
    private readonly credentials: () => VehicleCredentials,
    private readonly prefix: string,
  ) {
    this.done = this.run();
  }

  /** Resolves once `until()` holds (checked after every reply and connection change). */
  when(until: () => boolean): Promise<void> {
    if (until()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ until, resolve }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.current?.close();
    await this.done;
  }

  private changed(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.until()) return true;
      w.resolve();
      return false;
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      let connection: VehicleConnection;
      try {
        connection = await VehicleConnection.connect(this.credentials());
      } catch (error) {
        this.failedConnects.push(String(error));
        this.changed();
        continue;
      }
      this.current = connection;
      this.connections++;
      this.changed();
      for (let i = 0; i < WINDOW; i++) this.sendOne(connection);
      for (;;) {
        let reply;
        try {
          reply = await connection.nextReply(30_000);
        } catch {
          break; // closed (by the gateway, or by stop())
        }
        if (reply.kind === 'ack') this.acked.push(reply.txid);
        this.changed();
        if (!this.stopped) this.sendOne(connection);
      }
      this.closeCodes.push(await connection.closed);
      this.changed();
    }
  }

  private sendOne(connection: VehicleConnection): void {
    const txid = `${this.prefix}-${this.sent++}`;
    connection.send(streamFrame({ topic: 'V', txid, payload: vehicleDataPayload(this.vin, 10, this.rand), vin: this.vin }));
  }
}
