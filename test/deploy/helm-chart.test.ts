/**
 * The Helm chart, rendered with each values file: `helm lint`, then the objects checked against each
 * other (probes, Services, PDB and HPA against the Deployment) and the ConfigMap's config.json
 * loaded by our own config loader with the real sink registry.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type GatewayConfig } from '../../config';
import { SINKS } from '../../dispatch-workers/sinks/registry';
import { packageRoot } from '../../shared/package-root';
import { CHART, helm, helmFailure, renderChart, type Manifest } from './helm';

interface Port {
  name: string;
  containerPort: number;
}
interface Probe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  args: string[];
  ports: Port[];
  livenessProbe: Probe;
  readinessProbe: Probe;
  startupProbe: Probe;
  lifecycle: { preStop: { exec: { command: string[] } } };
  securityContext: {
    readOnlyRootFilesystem: boolean;
    allowPrivilegeEscalation: boolean;
    capabilities: { drop: string[] };
  };
  volumeMounts: { name: string; mountPath: string; subPath?: string }[];
}
interface PodSpec {
  terminationGracePeriodSeconds: number;
  securityContext: { runAsNonRoot: boolean };
  containers: Container[];
  volumes: { name: string; configMap?: { name: string }; emptyDir?: object; projected?: object }[];
  topologySpreadConstraints?: { labelSelector: { matchLabels: Record<string, string> } }[];
}
interface DeploymentSpec {
  selector: { matchLabels: Record<string, string> };
  template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
}

const ciValues = join(CHART, 'ci');
const valuesFiles = readdirSync(ciValues).filter((f) => f.endsWith('.yaml'));
const upstreamMinimal = join(packageRoot(), 'config', 'examples', 'upstream-minimal.json');

/** Each rendering the tests check: the defaults, every ci/ values file, and an existing config.json. */
const RENDERINGS: [string, string[]][] = [
  ['defaults', []],
  ...valuesFiles.map((f): [string, string[]] => [f, ['-f', join(ciValues, f)]]),
  ['configJson = config/examples/upstream-minimal.json', ['--set-file', `configJson=${upstreamMinimal}`]],
];

function only(manifests: Manifest[], kind: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found.map((m) => m.kind)).toEqual([kind]);
  return found[0];
}

function deploymentOf(manifests: Manifest[]): { deployment: Manifest; spec: DeploymentSpec; container: Container } {
  const deployment = only(manifests, 'Deployment');
  const spec = deployment.spec as unknown as DeploymentSpec;
  expect(spec.template.spec.containers).toHaveLength(1);
  return { deployment, spec, container: spec.template.spec.containers[0] };
}

/** True when a label selector's matchLabels select pods with these labels. */
function selects(matchLabels: Record<string, string>, podLabels: Record<string, string>): boolean {
  return Object.keys(matchLabels).length > 0 && Object.entries(matchLabels).every(([k, v]) => podLabels[k] === v);
}

function renderedConfig(manifests: Manifest[]): { text: string; config: GatewayConfig } {
  const configMap = only(manifests, 'ConfigMap');
  const text = configMap.data?.['config.json'];
  if (text === undefined) throw new Error('the ConfigMap has no config.json');
  // Through a file, as the gateway reads it in the pod.
  const path = join(mkdtempSync(join(tmpdir(), 'ft-chart-')), 'config.json');
  writeFileSync(path, text);
  const config = loadConfig({
    path,
    env: {},
    sinkBlocks: SINKS.flatMap((s) => (s.configBlock ? [s.configBlock] : [])),
    knownSinks: SINKS.map((s) => s.name),
  });
  return { text, config };
}

test('helm lint --strict passes with the defaults and with every values file', () => {
  expect(valuesFiles.length).toBeGreaterThanOrEqual(3);
  helm(['lint', '--strict', CHART]);
  for (const f of valuesFiles) helm(['lint', '--strict', CHART, '-f', join(ciValues, f)]);
});

describe.each(RENDERINGS)('rendered with %s', (_label, args) => {
  const manifests = renderChart(args);
  const { deployment, spec, container } = deploymentOf(manifests);
  const podLabels = spec.template.metadata.labels;
  const portNames = new Map(container.ports.map((p) => [p.name, p.containerPort]));
  const { config } = renderedConfig(manifests);

  test('the config in the ConfigMap loads with our config loader and matches the container ports and mounts', () => {
    expect(config.host).toBe('0.0.0.0');
    expect(portNames.get('vehicles')).toBe(config.port);
    expect(portNames.get('status')).toBe(config.status_port);
    if (config.monitoring?.prometheus_metrics_port) {
      expect(portNames.get('metrics')).toBe(config.monitoring.prometheus_metrics_port);
      expect(config.monitoring.prometheus_metrics_host).toBe('0.0.0.0');
    } else {
      expect(portNames.has('metrics')).toBe(false);
    }
    // The -config argument names the mounted ConfigMap file; the TLS paths lie in the Secret's mount.
    const configArg = container.args.find((a) => a.startsWith('-config='))?.slice('-config='.length);
    const configMount = container.volumeMounts.find((m) => m.mountPath === configArg);
    expect(configMount?.subPath).toBe('config.json');
    const configVolume = spec.template.spec.volumes.find((v) => v.name === configMount?.name);
    expect(configVolume?.configMap?.name).toBe(only(manifests, 'ConfigMap').metadata.name);
    const tlsMount = container.volumeMounts.find((m) => m.name === 'tls');
    expect(tlsMount).toBeDefined();
    for (const file of [config.tls.server_cert, config.tls.server_key, config.tls.ca_file]) {
      expect(file.startsWith(`${tlsMount?.mountPath}/`)).toBe(true);
    }
  });

  test('probes and Services name ports the container has', () => {
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
      expect(portNames.has(String(probe.httpGet.port))).toBe(true);
      expect(portNames.get(String(probe.httpGet.port))).toBe(config.status_port);
    }
    expect(container.livenessProbe.httpGet.path).toBe('/livez');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    const services = manifests.filter((m) => m.kind === 'Service');
    expect(services.length).toBeGreaterThanOrEqual(1);
    for (const service of services) {
      const svc = service.spec as { selector: Record<string, string>; ports: { targetPort: string }[] };
      expect(selects(svc.selector, podLabels)).toBe(true);
      for (const port of svc.ports) expect(portNames.has(port.targetPort)).toBe(true);
    }
  });

  test('the grace period exceeds the preStop sleep plus the drain deadline in the config', () => {
    const preStop = container.lifecycle.preStop.exec.command;
    expect(preStop[0]).toBe('sleep');
    const preStopSeconds = Number(preStop[1]);
    expect(preStopSeconds).toBeGreaterThan(0);
    const drainSeconds = config.gateway.drain_timeout_ms / 1000;
    expect(drainSeconds).toBeGreaterThan(0);
    expect(spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(preStopSeconds + drainSeconds);
  });

  test("the Deployment, PDB, HPA and topology spread select this release's pods", () => {
    expect(selects(spec.selector.matchLabels, podLabels)).toBe(true);
    const pdb = manifests.find((m) => m.kind === 'PodDisruptionBudget');
    if (pdb !== undefined) {
      const pdbSpec = pdb.spec as { selector: { matchLabels: Record<string, string> } };
      expect(selects(pdbSpec.selector.matchLabels, podLabels)).toBe(true);
    }
    const hpa = manifests.find((m) => m.kind === 'HorizontalPodAutoscaler');
    if (hpa !== undefined) {
      const target = (hpa.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef;
      expect(target).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
      expect(deployment.spec?.replicas).toBeUndefined(); // the HPA owns the replica count
    } else {
      expect(deployment.spec?.replicas).toBeGreaterThan(0);
    }
    for (const constraint of spec.template.spec.topologySpreadConstraints ?? []) {
      expect(selects(constraint.labelSelector.matchLabels, podLabels)).toBe(true);
    }
  });

  test('the pod runs non-root on a read-only root filesystem, with only /tmp writable', () => {
    expect(spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(container.securityContext.capabilities.drop).toEqual(['ALL']);
    const tmp = container.volumeMounts.find((m) => m.mountPath === '/tmp');
    expect(spec.template.spec.volumes.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
    // A pinned tag, never :latest.
    expect(container.image).toMatch(/:[0-9][\w.-]*(@sha256:[0-9a-f]+)?$/);
  });
});

test('an existing config.json drops in: every key but the ones the chart owns comes through unchanged', () => {
  const manifests = renderChart(['--set-file', `configJson=${upstreamMinimal}`]);
  const rendered = JSON.parse(renderedConfig(manifests).text) as Record<string, unknown>;
  const original = JSON.parse(readFileSync(upstreamMinimal, 'utf8')) as Record<string, unknown>;
  const owned = new Set(['host', 'port', 'status_port', 'tls', 'gateway', 'monitoring']);
  for (const [key, value] of Object.entries(original)) if (!owned.has(key)) expect([key, rendered[key]]).toEqual([key, value]);
  // The user's monitoring keys stay; the chart only sets the listener.
  expect(rendered.monitoring).toMatchObject({ profiler_port: 4269, profiling_path: '/tmp/trace.out', prometheus_metrics_port: 9090 });
});

test('the Kafka values reach the kafka block and the records routing', () => {
  const { config } = renderedConfig(renderChart(['-f', join(ciValues, 'kafka-values.yaml')]));
  expect(config.usedSinks).toContain('kafka');
  expect(config.records.V).toEqual(['kafka']);
  expect(config.reliableAckBySink).toBeDefined();
  expect(config.workerCount).toBe(4);
});

test('the connections-per-pod metric, NLB annotations and ServiceMonitor render when asked', () => {
  const manifests = renderChart(['-f', join(ciValues, 'aws-nlb-values.yaml')]);
  const hpa = only(manifests, 'HorizontalPodAutoscaler').spec as { metrics: { type: string }[] };
  expect(hpa.metrics.map((m) => m.type)).toEqual(['Resource', 'Pods']);
  const lb = manifests.find((m) => m.kind === 'Service' && (m.spec as { type: string }).type === 'LoadBalancer');
  expect(lb?.metadata.annotations?.['service.beta.kubernetes.io/aws-load-balancer-type']).toBe('external');
  const monitor = only(manifests, 'ServiceMonitor').spec as {
    selector: { matchLabels: Record<string, string> };
    endpoints: { port: string }[];
  };
  const metricsService = manifests.filter((m) => m.kind === 'Service' && selects(monitor.selector.matchLabels, m.metadata.labels ?? {}));
  expect(metricsService).toHaveLength(1);
  const servicePorts = (metricsService[0].spec as { ports: { name: string }[] }).ports.map((p) => p.name);
  expect(servicePorts).toContain(monitor.endpoints[0].port);
});

test('a grace period not above preStop + drain, or a configJson that is not JSON, fails the render', () => {
  const grace = helmFailure(['template', 'ftg', CHART, '--set', 'terminationGracePeriodSeconds=30']);
  expect(grace).toContain('terminationGracePeriodSeconds (30) must exceed drain.preStopSeconds + drain.timeoutSeconds (45)');
  const json = helmFailure(['template', 'ftg', CHART, '--set-string', 'configJson=not json']);
  expect(json).toContain('configJson is not valid JSON');
});
