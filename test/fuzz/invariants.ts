/**
 * What every fuzz case must satisfy (PROTOCOL.md §5.2, DEVIATIONS.md D2): the session stays open,
 * every frame gets exactly one reply, in order, and the reply is the one its frame calls for:
 * - over 1,000,000 bytes, or an envelope that cannot be read: ERROR with an empty txid;
 * - a readable envelope of an unknown message type: ACK with its txid and an empty topic;
 * - a stream message: ACK echoing txid and topic, or ERROR echoing the txid;
 * - a well-formed frame of a configured type from this vehicle: ACK.
 * Which of the last two a stream message gets depends on its payload; the envelope reader is the
 * oracle for the envelope (it is tested byte for byte against golden frames).
 */
import { readFrame } from '../../shared/envelope/read-frame';
import { ERROR_PAYLOAD } from '../../shared/envelope/write-frame';
import type { SocketLog } from './in-process-gateway';
import type { FuzzFrame } from './mutate';

const MAX_FRAME_BYTES = 1_000_000;

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** The reply a frame got, as read back. */
type ReadReply = { kind: 'ack'; txid: Uint8Array; topic: Uint8Array } | { kind: 'error'; txid: Uint8Array } | { kind: 'other' };

function readReply(reply: Uint8Array): ReadReply {
  const frame = readFrame(reply);
  if (frame.kind === 'unknown-type' && frame.msgType === 5) return { kind: 'ack', txid: frame.txidBytes, topic: frame.topicBytes };
  if (frame.kind === 'stream' && Buffer.from(frame.payload).toString() === ERROR_PAYLOAD) return { kind: 'error', txid: frame.txidBytes };
  return { kind: 'other' };
}

/** The broken invariants of one case; empty when it passed. */
export function violations(frames: readonly FuzzFrame[], log: SocketLog, unsettled: number): string[] {
  const broken: string[] = [];
  if (log.closed) broken.push('the session was closed');
  if (log.replies.length !== frames.length) broken.push(`${frames.length} frames got ${log.replies.length} replies`);
  if (unsettled !== 0) broken.push(`${unsettled} ledger entries left unsettled`);
  const n = Math.min(frames.length, log.replies.length);
  for (let i = 0; i < n; i++) {
    const problem = wrongReply(frames[i], readReply(log.replies[i]));
    if (problem !== undefined) broken.push(`frame ${i} (${frames[i].how}): ${problem}`);
  }
  return broken;
}

function wrongReply(frame: FuzzFrame, reply: ReadReply): string | undefined {
  if (reply.kind === 'other') return 'the reply is neither ACK nor ERROR';
  if (frame.bytes.length > MAX_FRAME_BYTES) {
    return reply.kind === 'error' && reply.txid.length === 0 ? undefined : 'an over-size frame must get ERROR with an empty txid';
  }
  const read = readFrame(frame.bytes);
  switch (read.kind) {
    case 'malformed':
      return reply.kind === 'error' && reply.txid.length === 0 ? undefined : 'an unreadable envelope must get ERROR with an empty txid';
    case 'unknown-type':
      return reply.kind === 'ack' && same(reply.txid, read.txidBytes) && reply.topic.length === 0
        ? undefined
        : 'an unknown message type must get one ACK with its txid and an empty topic (D2)';
    case 'stream':
      if (!same(reply.txid, read.txidBytes)) return 'the reply does not echo the txid';
      if (reply.kind === 'ack' && !same(reply.topic, read.topicBytes)) return 'the ACK does not echo the topic';
      if (frame.mustAck && reply.kind !== 'ack') return 'a well-formed frame of a configured type must get ACK';
      return undefined;
  }
}
