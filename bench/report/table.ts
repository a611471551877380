/** Plain-text and Markdown tables for the summaries the bench prints and the README quotes. */
export interface Table {
  title: string;
  header: string[];
  rows: string[][];
}

export function textTable(t: Table): string {
  const widths = t.header.map((h, i) => Math.max(h.length, ...t.rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [t.title, line(t.header), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n');
}

export function markdownTable(t: Table): string {
  const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [row(t.header), row(t.header.map((_, i) => (i === 0 ? '---' : '---:'))), ...t.rows.map(row)].join('\n');
}

/** Number formatting shared by every table: thousands separators, fixed decimals, NaN as "–". */
export function num(value: number, decimals = 0): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

export function pct(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)} %` : '–';
}
