/**
 * StatsD lines (PROTOCOL.md §11.4) with clean InfluxDB-style tags (DEVIATIONS.md D9: upstream
 * emits empty `=` placeholders before the real tags). The prefix is prepended verbatim.
 */
import type { MetricDefinition, MetricsDelta } from '../../shared/metrics';

/** `,`, `=`, `:`, `|`, whitespace and newlines would break a line's parsing; they become `_`. */
function clean(value: string): string {
  return value.replace(/[,=:|\s]/g, '_');
}

function tags(def: MetricDefinition | undefined, values: readonly string[]): string {
  if (def === undefined) return '';
  let out = '';
  def.labels.forEach((label, i) => (out += `,${clean(label)}=${clean(values[i] ?? '')}`));
  return out;
}

/** The lines for one drain; `definition` gives a metric's labels and type. */
export function statsdLines(prefix: string, delta: MetricsDelta, definition: (name: string) => MetricDefinition | undefined): string[] {
  const lines: string[] = [];
  for (const [name, values, amount] of delta.add) {
    if (amount === 0) continue; // an increment of 0 sends nothing
    const def = definition(name);
    const stem = `${prefix}${name}${tags(def, values)}`;
    if (def?.type === 'gauge') lines.push(`${stem}:${amount > 0 ? '+' : '-'}${Math.abs(amount)}|g`);
    else lines.push(`${stem}:${amount}|c`);
  }
  for (const [name, values, value] of delta.set) {
    const stem = `${prefix}${name}${tags(definition(name), values)}`;
    // A leading sign means "add": a negative value is set by zeroing first.
    if (value < 0) lines.push(`${stem}:0|g`);
    lines.push(`${stem}:${value}|g`);
  }
  for (const [name, values, counts, sum] of delta.observe) {
    const tagText = tags(definition(name), values);
    const count = counts.reduce((a, b) => a + b, 0);
    if (count === 0) continue;
    // Buckets cannot be replayed as StatsD timings: the count and the sum are sent as counters.
    lines.push(`${prefix}${name}_count${tagText}:${count}|c`, `${prefix}${name}_sum${tagText}:${sum}|c`);
  }
  return lines;
}

/** Packs lines into datagrams of at most `maxBytes` (one line may exceed it alone). */
export function datagrams(lines: readonly string[], maxBytes: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of lines) {
    if (current !== '' && Buffer.byteLength(current) + 1 + Buffer.byteLength(line) > maxBytes) {
      out.push(current);
      current = '';
    }
    current = current === '' ? line : `${current}\n${line}`;
  }
  if (current !== '') out.push(current);
  return out;
}
