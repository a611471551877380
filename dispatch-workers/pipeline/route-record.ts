/**
 * Routing: hands one record to every sink configured for its type, in list order (PROTOCOL.md §5.2
 * "Dispatch"), and folds the sinks' answers into one verdict (DEVIATIONS.md D6: a refusal by any
 * sink means no ACK; a reliable-ack type waits for its source sink's confirmation, §9).
 */
import type { DeliveryConfirmation, Sink, SinkRecord } from '../sinks/sink';

export interface Route {
  sinks: readonly { name: string; sink: Sink }[];
  /** The `reliable_ack_sources` sink for this record type, if any. */
  reliableSource: string | undefined;
  /** True when none of the sinks reads `payload` (SinkDefinition.readsPayload). */
  payloadUnread?: boolean;
  /** True when none of the sinks reads `decoded` (SinkDefinition.readsDecoded): protobuf passthrough. */
  decodedUnread?: boolean;
}

export type RouteVerdict =
  | { kind: 'accepted' }
  | { kind: 'refused'; sink: string; reason: string }
  /**
   * Accepted by every sink, but the reply waits: for the reliable source's confirmation (§9)
   * and for every sink that held it (back-pressure). `onConfirmed` runs exactly once, when all
   * have decided: delivered only if every one delivered.
   */
  | { kind: 'awaiting-confirmation'; onConfirmed: (cb: (delivered: boolean) => void) => void };

export function routeRecord(route: Route, record: SinkRecord): RouteVerdict {
  let waiting = 0;
  let delivered = true;
  let decided: boolean | undefined;
  let listener: ((delivered: boolean) => void) | undefined;
  /** One sink's decision; a sink settles a record once, repeats are ignored. */
  const waitFor = (): DeliveryConfirmation => {
    waiting++;
    let settled = false;
    return (ok) => {
      if (settled) return;
      settled = true;
      delivered &&= ok;
      if (--waiting > 0) return;
      decided = delivered;
      listener?.(delivered);
    };
  };
  // Counted while sinks are called, so a sink that confirms at once cannot decide for the others.
  const producing = waitFor();

  let refusal: { sink: string; reason: string } | undefined;
  let awaiting = false;
  for (const { name, sink } of route.sinks) {
    const reliable = name === route.reliableSource;
    const verdict = sink.produce(record, reliable ? waitFor() : undefined);
    if (!verdict.accepted) {
      refusal ??= { sink: name, reason: verdict.reason };
      continue;
    }
    if (verdict.held !== undefined) verdict.held(waitFor());
    awaiting ||= reliable || verdict.held !== undefined;
  }
  if (refusal !== undefined) return { kind: 'refused', ...refusal };
  if (!awaiting) return { kind: 'accepted' };
  producing(true);
  return {
    kind: 'awaiting-confirmation',
    onConfirmed(cb) {
      if (decided !== undefined) cb(decided);
      else listener = cb;
    },
  };
}
