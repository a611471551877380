/**
 * Dependency-free SVG line plots for the bench reports: axes with "nice" ticks (linear or log10),
 * labels, one polyline per series, a legend. Small on purpose: enough for a CDF, a curve, a timeline.
 */

export interface Series {
  name: string;
  points: readonly (readonly [number, number])[];
}

export interface LinePlot {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
  xLog?: boolean;
  yLog?: boolean;
  /** Forces the axis to include these values (e.g. y from 0, or 0–1 for a CDF). */
  xRange?: [number, number];
  yRange?: [number, number];
  /** Draw a marker at each point (for sparse curves). */
  markers?: boolean;
}

const WIDTH = 800;
const HEIGHT = 480;
const MARGIN = { left: 80, right: 200, top: 40, bottom: 60 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#17becf', '#bcbd22'];

/** Round tick values covering [min, max]: steps of 1, 2 or 5 × 10^k, about `target` of them. */
export function niceTicks(min: number, max: number, target = 6): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max === min) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceTicks(min - pad, max + pad, target);
  }
  const raw = (max - min) / Math.max(1, target);
  const magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v < max + step * 0.5; v += step) ticks.push(roundTo(v, step));
  if (ticks[ticks.length - 1] < max) ticks.push(roundTo(ticks[ticks.length - 1] + step, step));
  return ticks;
}

/** Powers of ten covering [min, max] (both > 0); adds 2× and 5× when there are few decades. */
export function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) {
    const p = Math.pow(10, e);
    ticks.push(p);
    if (hi - lo <= 2 && e < hi) ticks.push(2 * p, 5 * p);
  }
  return ticks.map((t) => roundTo(t, t));
}

/** Maps a data value to a pixel coordinate on an axis. */
export function scale(value: number, domain: [number, number], pixels: [number, number], log = false): number {
  const f = log
    ? (Math.log10(value) - Math.log10(domain[0])) / (Math.log10(domain[1]) - Math.log10(domain[0]))
    : (value - domain[0]) / (domain[1] - domain[0]);
  return pixels[0] + f * (pixels[1] - pixels[0]);
}

export function renderLinePlot(plot: LinePlot): string {
  const xs = plot.series.flatMap((s) => s.points.map((p) => p[0])).filter((v) => Number.isFinite(v) && (!plot.xLog || v > 0));
  const ys = plot.series.flatMap((s) => s.points.map((p) => p[1])).filter((v) => Number.isFinite(v) && (!plot.yLog || v > 0));
  const xTicks = ticksFor(xs, plot.xRange, plot.xLog === true);
  const yTicks = ticksFor(ys, plot.yRange, plot.yLog === true);
  const xDomain: [number, number] = [xTicks[0], xTicks[xTicks.length - 1]];
  const yDomain: [number, number] = [yTicks[0], yTicks[yTicks.length - 1]];
  const left = MARGIN.left;
  const right = WIDTH - MARGIN.right;
  const top = MARGIN.top;
  const bottom = HEIGHT - MARGIN.bottom;
  const px = (v: number) => scale(v, xDomain, [left, right], plot.xLog);
  const py = (v: number) => scale(v, yDomain, [bottom, top], plot.yLog);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${(left + right) / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(plot.title)}</text>`,
  ];
  for (const t of xTicks) {
    const x = fixed(px(t));
    out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${x}" y="${bottom + 18}" text-anchor="middle">${formatTick(t)}</text>`);
  }
  for (const t of yTicks) {
    const y = fixed(py(t));
    out.push(`<line x1="${left}" y1="${y}" x2="${right}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(t)}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${right - left}" height="${bottom - top}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${(left + right) / 2}" y="${HEIGHT - 16}" text-anchor="middle">${escapeXml(plot.xLabel)}</text>`);
  out.push(
    `<text x="18" y="${(top + bottom) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(top + bottom) / 2})">${escapeXml(plot.yLabel)}</text>`,
  );

  plot.series.forEach((series, i) => {
    const color = COLORS[i % COLORS.length];
    const visible = series.points.filter(
      ([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!plot.xLog || x > 0) && (!plot.yLog || y > 0),
    );
    if (visible.length > 0) {
      const d = visible.map(([x, y]) => `${fixed(px(x))},${fixed(py(y))}`).join(' ');
      out.push(`<polyline points="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
      if (plot.markers === true) {
        for (const [x, y] of visible) out.push(`<circle cx="${fixed(px(x))}" cy="${fixed(py(y))}" r="3.5" fill="${color}"/>`);
      }
    }
    const ly = top + 10 + i * 20;
    out.push(`<line x1="${right + 14}" y1="${ly}" x2="${right + 38}" y2="${ly}" stroke="${color}" stroke-width="3"/>`);
    out.push(`<text x="${right + 44}" y="${ly}" dominant-baseline="middle">${escapeXml(series.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

function ticksFor(values: number[], range: [number, number] | undefined, log: boolean): number[] {
  let min = Math.min(...values, ...(range ?? []));
  let max = Math.max(...values, ...(range ?? []));
  if (!Number.isFinite(min) || !Number.isFinite(max)) [min, max] = log ? [1, 10] : [0, 1];
  if (log) return logTicks(Math.max(min, Number.MIN_VALUE), Math.max(max, min * 10));
  return niceTicks(min, max);
}

function roundTo(value: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(value.toFixed(Math.min(digits, 12)));
}

function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return String(Number(v.toPrecision(4)));
}

function fixed(v: number): string {
  return v.toFixed(1);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
