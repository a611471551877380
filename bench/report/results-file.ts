/**
 * Writes a run's results: `bench/results/<scenario>-<time>.json` (machine, exact config, numbers)
 * and each plot beside it as SVG, plus a PNG copy when asked (rsvg-convert from librsvg2-bin, or
 * ImageMagick's convert).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../shared/package-root';
import type { Plot } from '../scenarios/scenario';

export function resultsDir(): string {
  const dir = join(packageRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** 20250131-142501: sortable, and safe in a file name. */
export function runStamp(date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

export function writeResults(name: string, document: unknown, plots: readonly Plot[], png: boolean): string[] {
  const dir = resultsDir();
  const written: string[] = [];
  const json = join(dir, `${name}.json`);
  // NaN/Infinity are not JSON: write them as null rather than lose the whole file.
  writeFileSync(json, `${JSON.stringify(document, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`);
  written.push(json);
  for (const plot of plots) {
    const svg = join(dir, `${name}-${plot.suffix}.svg`);
    writeFileSync(svg, plot.svg);
    written.push(svg);
    if (png) {
      const file = svg.replace(/\.svg$/, '.png');
      if (toPng(svg, file)) written.push(file);
    }
  }
  return written;
}

function toPng(svg: string, png: string): boolean {
  for (const [command, args] of [
    ['rsvg-convert', ['-o', png, svg]],
    ['convert', [svg, png]],
  ] as const) {
    try {
      execFileSync(command, args, { stdio: 'ignore', timeout: 30_000 });
      return true;
    } catch {
      // not installed, or no SVG support: try the next one
    }
  }
  return false; // the SVG is the plot
}
