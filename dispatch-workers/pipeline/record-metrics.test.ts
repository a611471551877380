/**
 * What the pipeline counts per outcome (PROTOCOL.md §5.2, DEVIATIONS.md D2, D4, D6; §7: never for
 * connectivity records), through dispatchEntry with fake sinks.
 */
import pino from 'pino';
import { EntryKind } from '../../shared/batch';
import type { SessionIdentity } from '../../shared/batch';
import { writeAck, writeStream } from '../../shared/envelope/write-frame';
import { encode, payloadTypeFor } from '../../shared/protobuf';
import { MetricsRecorder, RecordingMetrics } from '../../shared/metrics';
import type { ProduceVerdict, Sink } from '../sinks/sink';
import { dispatchEntry } from './dispatch-entry';
import type { PipelineContext } from './dispatch-entry';
import { ReplyBuffer } from './reply-buffer';
import { createRecordMetrics } from './record-metrics';

const session: SessionIdentity = { socketId: 's', deviceId: 'VIN1', senderId: 'vehicle_device.VIN1', clientVersion: '' };
const sink = (verdict: ProduceVerdict): Sink => ({ produce: () => verdict, close: async () => undefined });

function setup(refuse = false) {
  const recorder = new MetricsRecorder();
  const ctx: PipelineContext = {
    routes: new Map([
      [
        'V',
        {
          sinks: [{ name: refuse ? 'down' : 'ok', sink: sink(refuse ? { accepted: false, reason: 'down' } : { accepted: true }) }],
          reliableSource: undefined,
        },
      ],
      ['connectivity', { sinks: [{ name: 'ok', sink: sink({ accepted: true }) }], reliableSource: undefined }],
    ]),
    transmitDecoded: false,
    logger: pino({ level: 'silent' }),
    metrics: createRecordMetrics(new RecordingMetrics(recorder), ['VIN1']),
    awaitConfirmation: () => undefined,
  };
  const run = (kind: EntryKind, frame: Uint8Array) => dispatchEntry(ctx, new ReplyBuffer(1), 0, kind, frame, session, 0);
  /** name{labels…} → value, after a drain. */
  const counts = () => {
    const out: Record<string, number> = {};
    for (const [name, values, value] of recorder.drain().add) out[`${name}{${values.join(',')}}`] = value;
    return out;
  };
  return { run, counts };
}

const frame = (topic: string, payload: Uint8Array) =>
  writeStream({
    senderId: session.senderId,
    topic,
    txid: 't',
    payload,
    createdAt: 1,
    messageId: '',
    deviceType: 'vehicle_device',
    deviceId: 'VIN1',
    deliveredAt: 0,
  });
const vPayload = (datums: number) =>
  encode(payloadTypeFor('V'), {
    vin: 'X',
    data: Array.from({ length: datums }, (_, i) => ({ key: i + 1, value: { value: { case: 'int_value' as const, value: i } } })),
  });

describe('record metrics', () => {
  it('counts an accepted record: total, dispatch, bytes after transform, signals (D4), tracked VIN', () => {
    const { run, counts } = setup();
    const payload = vPayload(3);
    run(EntryKind.Frame, frame('V', payload));
    const c = counts();
    expect(c['record_total{V}']).toBe(1);
    expect(c['dispatch_total{V}']).toBe(1);
    expect(c['record_size_bytes_total{V}']).toBeGreaterThan(0);
    expect(c['signal_count{V}']).toBe(3);
    expect(c['vin_signal_count{V,VIN1}']).toBe(3);
  });

  it('counts errors: too big, malformed; unknown types only by msg_type (D2)', () => {
    const { run, counts } = setup();
    run(EntryKind.TooBig, new Uint8Array(0));
    run(EntryKind.Frame, Uint8Array.of(1, 2, 3));
    run(EntryKind.Frame, writeAck('x', 'V'));
    expect(counts()).toEqual({
      'unexpected_record_err_total{}': 2,
      'record_too_big_total{}': 1,
      'unknown_message_type_error_total{\u0005}': 1,
    });
  });

  it('never counts connectivity records (§7)', () => {
    const { run, counts } = setup();
    run(EntryKind.Connectivity, frame('connectivity', new Uint8Array(0)));
    run(EntryKind.Connectivity, Uint8Array.of(1));
    expect(counts()).toEqual({});
  });

  it('counts a refused record as dispatched, refused by its sink, and unanswered (D6)', () => {
    const { run, counts } = setup(true);
    run(EntryKind.Frame, frame('V', vPayload(1)));
    expect(counts()).toMatchObject({
      'record_total{V}': 1,
      'gateway_sink_refused_total{down,V}': 1,
      'gateway_unanswered_frames_total{refused}': 1,
    });
  });
});
