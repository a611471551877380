/**
 * The gateway's data path in one process, for the fuzzer: a real Session (size rule, in-flight
 * bound), the reply ledger, a LaneBatcher and the lane pipeline (parse, transform, encode, route,
 * sinks), with the dispatch thread replaced by a direct call. Only the socket is fake: it records
 * what the session writes.
 */
import type { WebSocket } from '@btc-vision/uwebsockets.js';
import type { GatewayConfig } from '../../config';
import { loadConfig } from '../../config';
import type { Settlement } from '../../shared/batch';
import { createLogger } from '../../shared/log';
import { NO_METRICS } from '../../shared/metrics';
import { SINKS } from '../../dispatch-workers/sinks/registry';
import { createLanePipeline, runBatch } from '../../dispatch-workers/pipeline/lane-pipeline';
import type { LanePipeline } from '../../dispatch-workers/pipeline/lane-pipeline';
import { LaneBatcher } from '../../gateway/batcher';
import { SessionLane } from '../../gateway/session-lane';
import { ReplyLedger } from '../../gateway/replies/ledger';
import { Session } from '../../gateway/session';
import { sessionMetrics } from '../../gateway/observability/session-metrics';

export const FUZZ_VIN = '5YJ3E1EA7KF100001';
export const FUZZ_SENDER = `vehicle_device.${FUZZ_VIN}`;

/** What the fake socket saw. */
export interface SocketLog {
  replies: Uint8Array[];
  /** The session asked to close the socket (a reply could not be written). */
  closed: boolean;
}

/** Every record type to the null sink; `alerts` with a reliable ACK (the null sink confirms at once). */
function fuzzConfig(transmitDecoded: boolean): GatewayConfig {
  return loadConfig({
    json: {
      port: 1,
      tls: { server_cert: 'unused.pem', server_key: 'unused.pem', ca_file: 'unused.pem' },
      records: { V: ['null'], alerts: ['null'], errors: ['null'], connectivity: ['null'] },
      reliable_ack_sources: { alerts: 'null' },
      transmit_decoded_records: transmitDecoded,
      log_level: 'error',
    },
    env: {},
    sinkBlocks: SINKS.flatMap((s) => (s.configBlock ? [s.configBlock] : [])),
    knownSinks: SINKS.map((s) => s.name),
  });
}

export class InProcessGateway {
  private constructor(
    private readonly lane: LanePipeline,
    private readonly ledger: ReplyLedger,
    private readonly batcher: LaneBatcher,
    private readonly config: GatewayConfig,
  ) {}

  static async create(transmitDecoded: boolean): Promise<InProcessGateway> {
    const config = fuzzConfig(transmitDecoded);
    const logger = createLogger({ json: true, level: 'silent' });
    const ledger = new ReplyLedger(logger);
    // A lane's settlements reach the main thread on another channel: deliver them a turn later.
    const settle = (s: Settlement) => setImmediate(() => ledger.settled([s]));
    const lane = await createLanePipeline(config, logger, undefined, settle);
    const batcher = new LaneBatcher(
      { maxFrames: config.gateway.batch_max_frames, maxBytes: config.gateway.batch_max_bytes },
      async (batch) => runBatch(lane, batch),
      {
        returned: (result, entries) => ledger.batchReturned(entries, result),
        failed: (error) => {
          throw error instanceof Error ? error : new Error(String(error));
        },
      },
    );
    return new InProcessGateway(lane, ledger, batcher, config);
  }

  /**
   * One session sends `frames` (binary messages, all in one turn) and waits until every reply the
   * ledger owes has been written. Returns what the socket saw.
   */
  async session(frames: readonly Uint8Array[]): Promise<SocketLog> {
    const log: SocketLog = { replies: [], closed: false };
    const ws = {
      send: (reply: Uint8Array) => {
        log.replies.push(Uint8Array.from(reply));
        return 1;
      },
      cork: (write: () => void) => write(),
      close: () => {
        log.closed = true;
      },
    } as unknown as WebSocket<unknown>;
    const session = new Session(
      ws,
      { socketId: 'fuzz-socket', deviceId: FUZZ_VIN, senderId: FUZZ_SENDER, clientVersion: 'fuzz' },
      '',
      new SessionLane(this.batcher),
      {
        maxInflightFrames: this.config.gateway.max_inflight_frames_per_connection,
        enforceRateLimit: false,
        rateLimit: undefined,
        metrics: sessionMetrics(NO_METRICS),
        ledger: this.ledger,
      },
      { shedding: () => undefined, replyFailed: () => ws.close(), rateLimited: () => undefined },
    );
    for (const frame of frames) {
      // uWS hands the session an ArrayBuffer valid only during the call: give it a fresh one.
      const copy = new ArrayBuffer(frame.byteLength);
      new Uint8Array(copy).set(frame);
      if (!session.receive(copy, true)) log.closed = true;
    }
    await this.batcher.idle();
    await this.ledger.idle();
    session.closed();
    return log;
  }

  /** Frames in flight anywhere: 0 between sessions. */
  get unsettled(): number {
    return this.ledger.unsettled;
  }

  close(): Promise<void> {
    return this.lane.close();
  }
}
