/** Every metric docker/grafana's dashboard queries is one the gateway exposes (catalogue or Node runtime). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { catalogueEntry } from '../../shared/metrics';

interface Panel {
  title: string;
  targets?: { expr: string }[];
}

it('queries only metrics that exist', () => {
  const dashboard = JSON.parse(readFileSync(join(__dirname, '..', '..', 'docker', 'grafana', 'fleet-telemetry-gateway.json'), 'utf8')) as {
    panels: Panel[];
  };
  const runtime = new Registry();
  collectDefaultMetrics({ register: runtime });
  const runtimeNames = new Set(runtime.getMetricsAsArray().map((m) => m.name));
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
  expect(exprs.length).toBeGreaterThan(20);
  const unknown: string[] = [];
  for (const expr of exprs) {
    // Selectors `name{…}`, and the names alternated inside __name__=~"…" regexes.
    const names = [...expr.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\{/g)].map((m) => m[1]).filter((n) => n !== 'by');
    for (const [, alternatives] of expr.matchAll(/__name__=~"([a-z0-9_|]+)"/g)) names.push(...alternatives.split('|'));
    for (const name of names) {
      const base = name.replace(/_(bucket|sum|count)$/, '');
      if (catalogueEntry(name) === undefined && catalogueEntry(base) === undefined && !runtimeNames.has(name) && !runtimeNames.has(base))
        unknown.push(name);
    }
  }
  expect(unknown).toEqual([]);
});
