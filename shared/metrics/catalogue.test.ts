/**
 * The catalogue is PROTOCOL.md §11.2: every metric of the spec's table with the same name, type
 * and labels, none missing, none renamed, none added under a reference-looking name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GATEWAY_METRICS, REFERENCE_METRICS } from './catalogue';

const specDir = resolve(process.env.FLEET_SPEC_DIR ?? join(__dirname, '..', '..', '..', 'shared', 'spec'));

interface SpecRow {
  name: string;
  type: 'counter' | 'gauge';
  addOnly: boolean;
  labels: string[];
}

/** The rows of the §11.2 table: | `name` | type | `label`, `label` | meaning |. */
function specCatalogue(): SpecRow[] {
  const text = readFileSync(join(specDir, 'PROTOCOL.md'), 'utf8');
  const section = text.slice(text.indexOf('### 11.2 Metric catalogue'), text.indexOf('### 11.3'));
  const rows: SpecRow[] = [];
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 5 || !cells[1].startsWith('`')) continue;
    // Backticked words before any parenthesis are label names (`type` (`total`,…) lists values).
    const labels = [...cells[3].split('(')[0].matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
    rows.push({
      name: cells[1].replace(/`/g, ''),
      type: cells[2].startsWith('gauge') ? 'gauge' : 'counter',
      addOnly: cells[2] === 'gauge, add',
      labels,
    });
  }
  return rows;
}

it('lists every §11.2 metric with its name, type and labels, in the spec’s order', () => {
  // CI lays the spec beside the checkout; a checkout without it must say so, not pass silently.
  expect(existsSync(join(specDir, 'PROTOCOL.md'))).toBe(true);
  const spec = specCatalogue();
  expect(spec.length).toBeGreaterThan(40); // the parser found the table
  const ours = REFERENCE_METRICS.map((m) => ({ name: m.name, type: m.type, addOnly: m.addOnly === true, labels: [...m.labels] }));
  expect(ours).toEqual(spec);
});

it('keeps our own metrics apart (gateway_*)', () => {
  for (const m of GATEWAY_METRICS) expect(m.name).toMatch(/^gateway_/);
});
