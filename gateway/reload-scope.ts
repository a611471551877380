/**
 * What a reload cannot change: the keys the primary itself acts on (the vehicle port it checked,
 * the status and monitoring listeners it serves, the number of worker slots). Everything else
 * (TLS files, sinks, records, rate limits, logging, …) is read by the workers and rolls with them.
 */
import { isDeepStrictEqual } from 'node:util';
import type { GatewayConfig } from '../config';

export function restartOnlyChanges(running: GatewayConfig, next: GatewayConfig): string[] {
  const changed: string[] = [];
  if (running.host !== next.host) changed.push('host');
  if (running.port !== next.port) changed.push('port');
  if (running.status_port !== next.status_port) changed.push('status_port');
  if (!isDeepStrictEqual(running.monitoring, next.monitoring)) changed.push('monitoring');
  if (running.workerCount !== next.workerCount) changed.push('gateway.workers');
  return changed;
}
