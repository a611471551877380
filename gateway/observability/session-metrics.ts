/** The counters a session bumps per frame, bound once per worker (no-ops without monitoring). */
import type { BoundCounter, Metrics } from '../../shared/metrics';

export interface SessionMetrics {
  /** `gateway_replies_total{kind}`: replies written. */
  readonly ack: BoundCounter;
  readonly error: BoundCounter;
  /** `gateway_unanswered_frames_total{reason}`: frames that get no reply. */
  readonly shed: BoundCounter;
  readonly rateLimited: BoundCounter;
  readonly draining: BoundCounter;
}

export function sessionMetrics(metrics: Metrics): SessionMetrics {
  const replies = metrics.counter('gateway_replies_total', ['kind']);
  const unanswered = metrics.counter('gateway_unanswered_frames_total', ['reason']);
  return {
    ack: replies.labels({ kind: 'ack' }),
    error: replies.labels({ kind: 'error' }),
    shed: unanswered.labels({ reason: 'shed' }),
    rateLimited: unanswered.labels({ reason: 'rate_limited' }),
    draining: unanswered.labels({ reason: 'draining' }),
  };
}
