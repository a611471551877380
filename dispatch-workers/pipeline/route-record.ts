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
}

export type RouteVerdict =
  | { kind: 'accepted' }
  | { kind: 'refused'; sink: string; reason: string }
  /** Accepted by every sink; `onConfirmed` runs exactly once when the reliable source has decided. */
  | { kind: 'awaiting-confirmation'; onConfirmed: (cb: (delivered: boolean) => void) => void };

export function routeRecord(route: Route, record: SinkRecord): RouteVerdict {
  let confirmed: boolean | undefined;
  let listener: ((delivered: boolean) => void) | undefined;
  const confirm: DeliveryConfirmation = (delivered) => {
    if (confirmed !== undefined) return; // a sink settles a record once; ignore repeats
    confirmed = delivered;
    listener?.(delivered);
  };

  let refusal: { sink: string; reason: string } | undefined;
  for (const { name, sink } of route.sinks) {
    const reliable = name === route.reliableSource;
    const verdict = sink.produce(record, reliable ? confirm : undefined);
    if (!verdict.accepted && refusal === undefined) refusal = { sink: name, reason: verdict.reason };
  }
  if (refusal !== undefined) return { kind: 'refused', ...refusal };
  if (route.reliableSource === undefined) return { kind: 'accepted' };
  return {
    kind: 'awaiting-confirmation',
    onConfirmed(cb) {
      if (confirmed !== undefined) cb(confirmed);
      else listener = cb;
    },
  };
}
