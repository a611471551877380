/** A dispatch lane's error reports on their way to the notifier of its worker's main thread: the
 * lane's error lines (sinks' ReportError, PROTOCOL.md §10) are taken at most ERRORS_PER_SECOND per
 * kind, then ride on the lane's periodic report message, never a message per error. */
import type { LaneErrorReport } from '../shared/batch';
import { ErrorBudget, isReportedKind, observeErrors } from '../shared/log';
import type { Counter } from '../shared/metrics';

export class LaneErrors {
  private pending: LaneErrorReport[] = [];
  private readonly budget: ErrorBudget;

  constructor(
    perSecond: number,
    private readonly dropped: Counter<'reason'>,
  ) {
    this.budget = new ErrorBudget(perSecond);
    observeErrors((kind, error, fields) => {
      if (!isReportedKind(kind)) return;
      if (!this.budget.take(kind)) this.dropped.inc({ reason: 'rate_limited' });
      else this.pending.push({ kind, error, fields: cloneable(fields) });
    });
  }

  /** The reports since the last call, or undefined when there are none. */
  take(): LaneErrorReport[] | undefined {
    if (this.pending.length === 0) return undefined;
    const out = this.pending;
    this.pending = [];
    return out;
  }
}

/** Log fields as plain values that survive postMessage (an Error or a class instance becomes text). */
function cloneable(fields: Readonly<Record<string, unknown>> | undefined): Record<string, string | number | boolean | null> {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [key, value] of Object.entries(fields ?? {})) {
    out[key] =
      value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : String(value);
  }
  return out;
}
