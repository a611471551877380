/** Finds and runs the helm binary for the chart tests (.ci/run installs it from the Go module proxy). */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../shared/package-root';

export const CHART = join(packageRoot(), 'docker', 'helm', 'fleet-telemetry-gateway');

/** HELM, else `helm` on PATH, else Go's install folder (`go install` puts it there). */
export function helmBinary(): string {
  const candidates = [
    process.env.HELM,
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'helm')),
    join(process.env.GOBIN ?? '', 'helm'),
    join(process.env.GOPATH ?? join(homedir(), 'go'), 'bin', 'helm'),
  ];
  const found = candidates.find((c): c is string => c !== undefined && c !== 'helm' && existsSync(c));
  if (found === undefined) {
    throw new Error('helm not found (PATH, $GOBIN, $GOPATH/bin, ~/go/bin): run .ci/run, or go install helm.sh/helm/v4/cmd/helm@v4.3.2');
  }
  return found;
}

export function helm(args: string[]): string {
  return execFileSync(helmBinary(), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** `helm template` that is expected to fail: its stderr. */
export function helmFailure(args: string[]): string {
  const run = spawnSync(helmBinary(), args, { encoding: 'utf8' });
  if (run.status === 0) throw new Error(`helm ${args.join(' ')} succeeded; expected a failure`);
  return run.stderr;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

/** The rendered objects of `helm template` with these extra arguments (values files, --set…). */
export function renderChart(extraArgs: string[] = []): Manifest[] {
  const out = helm(['template', 'ftg', CHART, '--namespace', 'telemetry', ...extraArgs]);
  const docs = parseAllDocuments(out);
  const manifests: Manifest[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0].message}`);
    const value = doc.toJS() as Manifest | null;
    if (value !== null) manifests.push(value);
  }
  return manifests;
}
