/**
 * Alert timestamp fix (PROTOCOL.md §6.3): vehicles may put milliseconds into `seconds`. Values from
 * 315576000000 (year 12000 in seconds) upwards are read as milliseconds; the original nanos are dropped.
 */
import type { Timestamp, VehicleAlerts } from '../../../shared/protobuf';

export const MILLISECONDS_THRESHOLD = 315576000000n;

/** The corrected timestamp, or the same object when no fix applies. */
export function fixAlertTimestamp(ts: Timestamp): Timestamp {
  const raw = BigInt(ts.seconds);
  if (raw < MILLISECONDS_THRESHOLD) return ts;
  // raw is positive here, so BigInt division and remainder are floor and mod.
  return { seconds: raw / 1000n, nanos: Number(raw % 1000n) * 1000000, $unknown: undefined };
}

export function transformAlertTimestamps(alerts: VehicleAlerts): void {
  for (const alert of alerts.alerts) {
    if (alert.started_at) alert.started_at = fixAlertTimestamp(alert.started_at);
    if (alert.ended_at) alert.ended_at = fixAlertTimestamp(alert.ended_at);
  }
}
