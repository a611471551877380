/**
 * docker/compose.yaml without a Docker daemon: it parses, every file it mounts or builds from
 * exists, the gateway's config loads with our config loader, and the pieces point at each other
 * (Kafka's listener, the scrape target, the provisioned data source and dashboard, the ports).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../config';
import { SINKS } from '../../dispatch-workers/sinks/registry';
import { packageRoot } from '../../shared/package-root';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  ports?: string[];
  read_only?: boolean;
  tmpfs?: string[];
  healthcheck?: { test?: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
  network_mode?: string;
  profiles?: string[];
}

const dockerDir = join(packageRoot(), 'docker');
const compose = parse(readFileSync(join(dockerDir, 'compose.yaml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const { services } = compose;
const gateway = services.gateway;

/** Bind mounts (host path → container path); named volumes are left out. */
function bindMounts(service: Service): Map<string, string> {
  const mounts = new Map<string, string>();
  for (const volume of service.volumes ?? []) {
    const [host, container] = volume.split(':');
    if (host.startsWith('.') || host.startsWith('/')) mounts.set(container, resolve(dockerDir, host));
  }
  return mounts;
}

function hostFile(service: Service, containerPath: string): string {
  const file = bindMounts(service).get(containerPath);
  if (file === undefined) throw new Error(`nothing is mounted at ${containerPath}`);
  return file;
}

const gatewayConfigFile = hostFile(gateway, '/etc/fleet-telemetry/config.json');
const config = loadConfig({
  path: gatewayConfigFile,
  env: {},
  sinkBlocks: SINKS.flatMap((s) => (s.configBlock ? [s.configBlock] : [])),
  knownSinks: SINKS.map((s) => s.name),
});

test('the stack has the gateway, Kafka, Prometheus and Grafana, and the image builds from docker/Dockerfile', () => {
  expect(Object.keys(services).sort()).toEqual(['gateway', 'grafana', 'kafka', 'pki', 'prometheus', 'vehicle']);
  for (const name of ['gateway', 'pki']) {
    const build = services[name].build;
    expect(build).toBeDefined();
    const context = resolve(dockerDir, build?.context ?? '');
    expect(context).toBe(packageRoot());
    expect(existsSync(join(context, build?.dockerfile ?? ''))).toBe(true);
  }
  // Every service that runs our image runs the one the build produces.
  const ours = ['gateway', 'pki', 'vehicle'].map((s) => services[s].image);
  expect(new Set(ours).size).toBe(1);
});

test('every bind-mounted file or folder exists', () => {
  for (const [name, service] of Object.entries(services)) {
    for (const [container, host] of bindMounts(service)) expect([name, container, existsSync(host)]).toEqual([name, container, true]);
  }
  // Named volumes are declared.
  const named = Object.values(services).flatMap((s) => (s.volumes ?? []).map((v) => v.split(':')[0]).filter((h) => !/^[./]/.test(h)));
  for (const volume of named) expect(Object.keys(compose.volumes)).toContain(volume);
});

test("the gateway's config loads with our config loader, reaches Kafka by its advertised listener, and reads the PKI volume", () => {
  expect(config.usedSinks).toContain('kafka');
  const kafkaBlock = config.sinks.kafka as Record<string, unknown>;
  const advertised = String(services.kafka.environment?.KAFKA_ADVERTISED_LISTENERS);
  expect(advertised).toContain(`//${String(kafkaBlock['bootstrap.servers'])}`);
  expect(services.kafka.environment?.KAFKA_PROCESS_ROLES).toBe('broker,controller'); // KRaft, no ZooKeeper
  const pkiMount = (gateway.volumes ?? []).find((v) => v.startsWith('pki:'))?.split(':')[1];
  for (const file of [config.tls.server_cert, config.tls.server_key, config.tls.ca_file]) expect(dirname(file)).toBe(pkiMount);
  // The pki job writes into the same volume, before the gateway starts.
  expect(services.pki.volumes).toContain(`pki:${pkiMount}`);
  expect(gateway.depends_on).toMatchObject({
    pki: { condition: 'service_completed_successfully' },
    kafka: { condition: 'service_healthy' },
  });
});

test('published ports and the healthcheck match the config; the root filesystem is read-only with a tmpfs', () => {
  const published = (gateway.ports ?? []).map((p) => Number(p.split(':').pop()));
  expect(published).toEqual([config.port, config.status_port]);
  // The image's HEALTHCHECK asks status port 8080 unless HEALTHCHECK_PORT says otherwise.
  expect(config.status_port).toBe(Number(gateway.environment?.HEALTHCHECK_PORT ?? 8080));
  expect(gateway.read_only).toBe(true);
  expect(gateway.tmpfs).toContain('/tmp');
  expect(services.vehicle.network_mode).toBe('service:gateway');
  expect(services.vehicle.entrypoint).toEqual(expect.arrayContaining([`wss://127.0.0.1:${config.port}/`]));
});

test('Prometheus scrapes the metrics port and Grafana provisions that data source and the dashboard', () => {
  const prometheus = parse(readFileSync(hostFile(services.prometheus, '/etc/prometheus/prometheus.yml'), 'utf8')) as {
    scrape_configs: { static_configs: { targets: string[] }[] }[];
  };
  const targets = prometheus.scrape_configs.flatMap((s) => s.static_configs.flatMap((c) => c.targets));
  expect(targets).toEqual([`gateway:${config.monitoring?.prometheus_metrics_port}`]);
  expect(config.monitoring?.prometheus_metrics_host).toBe('0.0.0.0');

  const grafana = services.grafana;
  const datasourceDir = hostFile(grafana, '/etc/grafana/provisioning/datasources');
  const datasources = parse(readFileSync(join(datasourceDir, 'prometheus.yaml'), 'utf8')) as {
    datasources: { type: string; url: string }[];
  };
  expect(datasources.datasources).toEqual([expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' })]);
  expect(services.prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml');

  const providerDir = hostFile(grafana, '/etc/grafana/provisioning/dashboards');
  const providers = parse(readFileSync(join(providerDir, 'provider.yaml'), 'utf8')) as { providers: { options: { path: string } }[] };
  const dashboardDir = providers.providers[0].options.path;
  const dashboard = hostFile(grafana, `${dashboardDir}/fleet-telemetry-gateway.json`);
  expect(dashboard).toBe(join(dockerDir, 'grafana', 'fleet-telemetry-gateway.json'));
  expect(statSync(dashboard).isFile()).toBe(true);
  expect((JSON.parse(readFileSync(dashboard, 'utf8')) as { panels: unknown[] }).panels.length).toBeGreaterThan(0);
});

test("the pki job's script writes a CA, a server certificate and vehicle certificates", () => {
  const script = services.pki.command?.[0] ?? '';
  expect(script).toMatch(/&& chown -R 1000:1000 \/pki$/);
  const dir = mkdtempSync(join(tmpdir(), 'ft-compose-pki-'));
  const local = script
    .replace(/ && chown .*$/, '')
    .replaceAll('/app/', `${packageRoot()}/`)
    .replaceAll("'/pki'", `'${dir}'`);
  execFileSync('sh', ['-c', local], { stdio: 'pipe' });
  for (const file of ['ca.pem', 'server.pem', 'server.key', 'vehicles/5YJ3E1EA7KF000001.pem'])
    expect([file, existsSync(join(dir, file))]).toEqual([file, true]);
  rmSync(dir, { recursive: true, force: true });
});
