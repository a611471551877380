/**
 * Reads one series from the gateway's Prometheus endpoint (`monitoring.prometheus_metrics_port`),
 * polling until a condition holds: lanes report their counts every few hundred milliseconds.
 */
import { metricsText } from '../../bench/server/metrics-text';

/** The value of `name{labels}` (exactly those labels), 0 when the series is absent. */
export async function metricValue(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of (await metricsText(port)).split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    const match = /^(?:\{([^}]*)\})? (\S+)$/.exec(rest);
    if (match === null) continue;
    const have = (match[1] ?? '').split(',').filter(Boolean).sort().join(',');
    if (have === wanted) return Number(match[2]);
  }
  return 0;
}

/** Polls until `name{labels}` satisfies the predicate; returns the value. */
export async function waitForMetric(
  port: number,
  name: string,
  labels: Record<string, string>,
  predicate: (value: number) => boolean,
  timeoutMs = 15_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await metricValue(port, name, labels);
    if (predicate(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`metric ${name}${JSON.stringify(labels)} = ${value}: condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
