/**
 * The record pipeline for one batch entry (PROTOCOL.md §5.1–5.2 with DEVIATIONS.md D2, D6):
 * frame parse → record → sender check → transform/encode → route to sinks → outcome.
 * Failures are values here: nothing a vehicle sends can throw out of this function.
 */
import { EntryKind, Outcome } from '../../shared/batch';
import type { SessionIdentity } from '../../shared/batch';
import { readFrame } from '../../shared/envelope/read-frame';
import { writeAck, writeError } from '../../shared/envelope/write-frame';
import { recordMetadata } from '../../shared/record';
import { activity, logError } from '../../shared/log';
import type { Logger } from '../../shared/log';
import { transformPayload } from './transform-payload';
import { routeRecord } from './route-record';
import type { Route } from './route-record';
import type { ReplyBuffer } from './reply-buffer';
import type { RecordMetrics } from './record-metrics';

export interface PipelineContext {
  /** Record type → its route; a type absent here is unconfigured (dispatched to nobody, still ACKed). */
  routes: ReadonlyMap<string, Route>;
  transmitDecoded: boolean;
  logger: Logger;
  /** Counts each outcome (PROTOCOL.md §5.2); absent without monitoring. */
  metrics?: RecordMetrics;
  /**
   * Registers the current entry's record as awaiting its sinks' decision (a Settlement): the
   * confirmation of `reliableSource` (§9), and/or the release of a sink that held it (back-pressure).
   */
  awaitConfirmation(recordType: string, reliableSource: string | undefined, onConfirmed: (cb: (delivered: boolean) => void) => void): void;
}

const EMPTY = new Uint8Array(0);
const utf8 = new TextEncoder();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
const ERROR_EMPTY_TXID = writeError(EMPTY);

export function dispatchEntry(
  ctx: PipelineContext,
  out: ReplyBuffer,
  entry: number,
  kind: EntryKind,
  frame: Uint8Array,
  session: SessionIdentity,
  receivedAt: number,
): void {
  if (kind === EntryKind.TooBig) {
    logError(ctx.logger, 'unexpected_record', "can't process message, size above 1mb", {
      txid: '',
      record_type: '',
      device_id: session.deviceId,
    });
    ctx.metrics?.tooBig();
    out.reply(entry, Outcome.Error, ERROR_EMPTY_TXID);
    return;
  }
  const connectivity = kind === EntryKind.Connectivity;
  const parsed = readFrame(frame);

  if (parsed.kind === 'unknown-type') {
    // D2: exactly one ACK (upstream sends two and counts a record of type "").
    logError(ctx.logger, 'unknown_message_type_error', `Unknown message Type for ${parsed.txid} - ${parsed.msgType}`, {
      txid: parsed.txid,
      record_type: '', // the record's type is never set on this path upstream
      msg_txid: parsed.txid,
      msg_type: String.fromCharCode(parsed.msgType),
    });
    if (connectivity) return;
    ctx.metrics?.unknownType(String.fromCharCode(parsed.msgType));
    out.reply(entry, Outcome.Ack, writeAck(parsed.txidBytes, ''));
    return;
  }
  if (parsed.kind === 'malformed') {
    malformed(ctx, out, entry, connectivity, parsed.txid, EMPTY, '', session, parsed.error);
    return;
  }

  // Replies echo the txid and topic byte for byte, even when they are not valid UTF-8.
  const { txid, topic, txidBytes, topicBytes } = parsed;
  const route = ctx.routes.get(topic);

  // §5.1 step 5 (S4): only topics absent from `records` are checked against the certificate.
  if (route === undefined && parsed.senderId !== session.senderId && parsed.senderId !== session.deviceId) {
    activity(ctx.logger, 'unexpected_sender_id', {
      sender_id: parsed.senderId,
      expected_sender_id: session.senderId,
      txid,
      record_type: topic,
    });
    const error = `message SenderID: ${parsed.senderId} do not match vehicleID: ${session.senderId}`;
    malformed(ctx, out, entry, connectivity, txid, txidBytes, topic, session, error);
    return;
  }

  // The re-encoded payload is for the sinks that read it and for `record_size_bytes_total`.
  const payloadNeeded = ctx.metrics !== undefined || (route !== undefined && route.payloadUnread !== true);
  const decodedNeeded = route !== undefined && route.decodedUnread !== true;
  const transformed = transformPayload(topic, parsed.payload, session.deviceId, ctx.transmitDecoded, payloadNeeded, decodedNeeded);
  if (!transformed.ok) {
    malformed(ctx, out, entry, connectivity, txid, txidBytes, topic, session, transformed.error);
    return;
  }
  // §7: connectivity records are never counted; §5.2: unconfigured types are counted and ACKed.
  if (!connectivity) ctx.metrics?.dispatched(topic, transformed.payload.length, transformed.signals, session.deviceId);
  if (route === undefined) {
    if (!connectivity) out.reply(entry, Outcome.Ack, writeAck(txidBytes, topicBytes));
    return;
  }

  const verdict = routeRecord(route, {
    recordType: topic,
    vin: session.deviceId,
    txid,
    alteredMetadata:
      txid.includes('\uFFFD') && !sameBytes(utf8.encode(txid), txidBytes)
        ? 'txid'
        : session.clientVersionAltered === true
          ? 'device_client_version'
          : undefined,
    payload: transformed.payload,
    metadata: recordMetadata(session.deviceId, receivedAt, txid, topic, session.clientVersion),
    decoded: transformed.decoded,
  });
  if (connectivity) {
    if (verdict.kind === 'refused') {
      logError(ctx.logger, 'connectivity_registeration_error', verdict.reason, { deviceID: session.deviceId, event: topic });
    }
    return;
  }
  switch (verdict.kind) {
    case 'accepted':
      out.reply(entry, Outcome.Ack, writeAck(txidBytes, topicBytes));
      return;
    case 'refused':
      // D6: no ACK, the vehicle resends; the refusal is logged (and counted by the sink).
      logError(ctx.logger, 'record_refused', verdict.reason, { txid, record_type: topic, vin: session.deviceId, dispatcher: verdict.sink });
      ctx.metrics?.refused(verdict.sink, topic, true);
      return;
    case 'awaiting-confirmation':
      ctx.awaitConfirmation(topic, route.reliableSource, verdict.onConfirmed);
      out.reply(entry, Outcome.Pending, writeAck(txidBytes, topicBytes));
      return;
  }
}

function malformed(
  ctx: PipelineContext,
  out: ReplyBuffer,
  entry: number,
  connectivity: boolean,
  txid: string,
  txidBytes: Uint8Array,
  recordType: string,
  session: SessionIdentity,
  error: string,
): void {
  logError(ctx.logger, connectivity ? 'connectivity_registeration_error' : 'unexpected_record', error, {
    txid,
    record_type: recordType,
    device_id: session.deviceId,
  });
  if (connectivity) return;
  ctx.metrics?.malformed();
  out.reply(entry, Outcome.Error, writeError(txidBytes));
}
