/**
 * Frames a simulated vehicle sends, built before the timed phase so encoding never counts: real `V`
 * records (20–60 datums, a location string, numbers and strings) in stream envelopes, each already
 * masked as a WebSocket client frame, with the ACK the server is expected to answer it with.
 */
import { randomBytes } from 'node:crypto';
import { seededRandom, streamFrame, vehicleDataPayload } from '../vehicle/records';
import { writeAck } from '../../shared/envelope/write-frame';
import { maskedBinaryFrame } from './ws-frame';

export interface FramePool {
  /** Complete masked WebSocket frames, sent as they are. */
  frames: Buffer[];
  /** The record's size as the gateway sees it (the stream envelope), per frame. */
  recordBytes: number[];
  /** The ACK payload that answers frames[i]. */
  acks: Buffer[];
}

export interface FramePoolOptions {
  vin: string;
  count: number;
  minDatums: number;
  maxDatums: number;
  seed: number;
}

export function buildFramePool(o: FramePoolOptions): FramePool {
  const rand = seededRandom(o.seed);
  const pool: FramePool = { frames: [], recordBytes: [], acks: [] };
  for (let i = 0; i < o.count; i++) {
    const datums = o.minDatums + Math.floor(rand() * (o.maxDatums - o.minDatums + 1));
    // 32 hex characters, like the vehicle's UUID-derived txids.
    const txid = randomBytes(16).toString('hex');
    const record = streamFrame({ topic: 'V', txid, payload: vehicleDataPayload(o.vin, datums, rand), vin: o.vin });
    pool.frames.push(maskedBinaryFrame(record, randomBytes(4)));
    pool.recordBytes.push(record.length);
    pool.acks.push(Buffer.from(writeAck(txid, 'V')));
  }
  return pool;
}
