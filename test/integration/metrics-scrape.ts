/** Helpers for the observability tests: plain HTTP GETs and a Prometheus text parser. */
import { get } from 'node:http';

export function httpGet(port: number, path: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
  });
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Scrape {
  /** `# TYPE` per metric family. */
  types: Map<string, string>;
  samples: Sample[];
  /** The value of the sample with exactly these labels, undefined when absent. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Text exposition format 0.0.4 (PROTOCOL.md §11.3). */
export function parsePrometheus(text: string): Scrape {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      types.set(name, type);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.lastIndexOf(' ');
    const name = brace >= 0 && brace < space ? line.slice(0, brace) : line.slice(0, space);
    const labels: Record<string, string> = {};
    if (brace >= 0 && brace < space) {
      const labelText = line.slice(brace + 1, line.lastIndexOf('}'));
      for (const m of labelText.matchAll(LABEL)) labels[m[1]] = m[2].replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
    }
    samples.push({ name, labels, value: Number(line.slice(space + 1)) });
  }
  const same = (a: Record<string, string>, b: Record<string, string>) =>
    Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);
  return {
    types,
    samples,
    value: (name, labels = {}) => samples.find((s) => s.name === name && same(s.labels, labels))?.value,
  };
}

/**
 * Polls /readyz until it answers `status` (fast, so a short unready window is seen; sinks' health
 * reaches it about once a second). Returns the body.
 */
export async function untilReadyz(port: number, status: number, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = { status: 0, body: '' };
  while (Date.now() < deadline) {
    last = await httpGet(port, '/readyz').catch(() => ({ status: 0, body: '', headers: {} }));
    if (last.status === status) return last.body;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`/readyz stayed ${last.status} (${last.body.trim()}), expected ${status}`);
}
