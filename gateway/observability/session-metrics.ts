/**
 * The counters a session bumps per frame, bound once per worker (no-ops without monitoring).
 * Replies written are counted by the reply ledger.
 */
import type { BoundCounter, Metrics } from '../../shared/metrics';

export interface SessionMetrics {
  /** `gateway_unanswered_frames_total{reason}`: frames that get no reply. */
  readonly shed: BoundCounter;
  readonly rateLimited: BoundCounter;
  readonly draining: BoundCounter;
}

export function sessionMetrics(metrics: Metrics): SessionMetrics {
  const unanswered = metrics.counter('gateway_unanswered_frames_total', ['reason']);
  return {
    shed: unanswered.labels({ reason: 'shed' }),
    rateLimited: unanswered.labels({ reason: 'rate_limited' }),
    draining: unanswered.labels({ reason: 'draining' }),
  };
}
