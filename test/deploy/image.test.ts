/**
 * docker/Dockerfile and .dockerignore without a Docker daemon: the build context holds every source
 * the build stage compiles and none of the secrets or host builds; every path the runtime stage
 * copies exists after `npm run build`; and the runtime stage's files, assembled as the image would
 * hold them (production dependencies only), run the gateway: it listens, ACKs a record, passes the
 * image's HEALTHCHECK and drains on SIGTERM without writing under /app.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { packageRoot } from '../../shared/package-root';
import { freePort } from '../../shared/free-port';
import { VehicleConnection } from '../../bench/vehicle/vehicle-client';
import { seededRandom, streamFrame, vehicleDataPayload } from '../../bench/vehicle/records';
import { writeAck } from '../../shared/envelope/write-frame';
import { testPki, TEST_VINS } from '../harness/gateway-process';
import { dockerignore, expandArgs, readDockerfile, type Stage } from './dockerfile';

const root = packageRoot();
const dockerfile = readDockerfile();
const isSent = dockerignore();
const [build, runtime] = dockerfile.stages;

/** Every file under a repository path (a file or a folder), relative to the root. */
function filesUnder(path: string): string[] {
  const full = join(root, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

function contextSources(stage: Stage): string[] {
  return stage.copies.filter((c) => c.from === undefined).flatMap((c) => c.sources.map((s) => s.replace(/\/+$/, '')));
}

test('two stages: a build stage and a slim runtime on the same Node major and Debian release, running as non-root', () => {
  expect(dockerfile.stages.map((s) => s.name)).toEqual(['build', 'runtime']);
  const [buildImage, runtimeImage] = [build.image, runtime.image].map((i) => expandArgs(i, dockerfile.args));
  expect(buildImage).toMatch(/^node:\d+-bookworm$/);
  expect(runtimeImage).toBe(`${buildImage}-slim`);
  const major = Number(/^node:(\d+)-/.exec(buildImage)?.[1]);
  const engines = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  expect(engines).toContain(`^${major}`);
  expect(runtime.instructions).toContain('USER 1000:1000');
  expect(runtime.instructions.some((i) => i.startsWith('HEALTHCHECK ') && i.includes('/app/healthcheck.js'))).toBe(true);
  // The runtime copies production dependencies only.
  expect(build.instructions).toContain(
    'RUN npm run build && npm prune --omit=dev --no-audit --no-fund && sh docker/slim-node-modules.sh node_modules',
  );
});

test('every path the Dockerfile copies from the context exists and is sent; secrets and host builds are not', () => {
  const sources = [...contextSources(build), ...contextSources(runtime)];
  expect(sources.length).toBeGreaterThan(5);
  for (const source of sources) {
    expect([source, existsSync(join(root, source))]).toEqual([source, true]);
    const files = filesUnder(source).filter(isSent);
    expect([source, files.length > 0]).toEqual([source, true]);
  }
  for (const never of ['.cache/bench-pki/ca.key', '.dev/ca.key', 'node_modules/ws/package.json', 'dist/gateway/cli.js', '.git/HEAD']) {
    expect([never, isSent(never)]).toEqual([never, false]);
  }
  expect(isSent('gateway/session.test.ts')).toBe(false);
});

test('the build stage has every source file tsc compiles and every input of the build scripts', () => {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const listed = execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json'), '--listFilesOnly'], { encoding: 'utf8' })
    .split('\n')
    .filter((f) => f.startsWith(root) && !f.includes('/node_modules/'))
    .map((f) => relative(root, f));
  expect(listed).toContain('gateway/cli.ts');
  const nativeInputs = ['scripts/build.mjs', 'scripts/prepare-native.mjs', 'gateway/acceptor/glibc-compat/compat.c'];
  const copied = contextSources(build);
  const inCopied = (f: string) => copied.some((c) => f === c || f.startsWith(`${c}/`));
  const missing = [...listed, ...nativeInputs, 'tsconfig.json', 'package-lock.json'].filter((f) => !isSent(f) || !inCopied(f));
  expect(missing).toEqual([]);
});

describe('the runtime stage', () => {
  const fromBuild = runtime.copies.filter((c) => c.from === 'build');
  let app: string;

  beforeAll(() => {
    // Outside the repository, so nothing can be found by walking up from it (protos/, node_modules/).
    app = join(mkdtempSync(join(tmpdir(), 'ft-image-runtime-')), 'app');
    mkdirSync(app);
    const production = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((p) => p.startsWith(join(root, 'node_modules') + '/'));
    /** Hard links where the filesystem allows (no space, no time), else a copy. */
    const link = (from: string, to: string) => {
      mkdirSync(dirname(to), { recursive: true });
      if (spawnSync('cp', ['-al', from, to]).status !== 0) execFileSync('cp', ['-a', from, to]);
    };
    for (const copy of runtime.copies) {
      for (const source of copy.sources) {
        const path = copy.from === 'build' ? source.replace(/^\/src\//, '') : source;
        // Every COPY here lands in /app under the source's own name.
        expect([`./`, `./${basename(path)}`]).toContain(copy.dest);
        const target = join(app, basename(path));
        if (copy.from === 'build' && path === 'node_modules') {
          // `npm prune --omit=dev` in the build stage: the production dependency tree only, then slimmed.
          for (const pkg of production) {
            const dest = join(target, relative(join(root, 'node_modules'), pkg));
            if (!existsSync(dest)) link(pkg, dest);
          }
          execFileSync('sh', [join(root, 'docker', 'slim-node-modules.sh'), target]);
        } else {
          link(join(root, path), target);
        }
      }
    }
  });
  afterAll(() => rmSync(dirname(app), { recursive: true, force: true }));

  test('every path it copies from the build stage exists after npm run build', () => {
    const paths = fromBuild.flatMap((c) => c.sources.map((s) => s.replace(/^\/src\//, '')));
    expect(paths.sort()).toEqual(['dist', 'node_modules', 'package.json', 'protos']);
    for (const path of paths) expect([path, existsSync(join(root, path))]).toEqual([path, true]);
    expect(existsSync(join(root, 'dist', 'gateway', 'cli.js'))).toBe(true);
  });

  test('every production dependency loads from it, native addons included, after slimming', () => {
    expect(existsSync(join(app, 'node_modules', 'node-rdkafka', 'deps', 'librdkafka'))).toBe(false);
    expect(readdirSync(join(app, 'node_modules', '@btc-vision', 'uwebsockets.js')).filter((f) => f.includes('darwin'))).toEqual([]);
    // uWS itself goes through the gateway's loader (glibc < 2.38 needs dist/native): the next test runs it.
    const script = `
      const deps = Object.keys(require('./package.json').dependencies).filter((d) => d !== '@btc-vision/uwebsockets.js');
      for (const dep of deps) require(dep);
      process.stdout.write(String(deps.length));`;
    const run = spawnSync(process.execPath, ['-e', script], { cwd: app, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
    expect(run.stderr).toBe('');
    expect(Number(run.stdout)).toBeGreaterThan(5);
  });

  test('node dist/gateway/cli.js runs from it: listens, ACKs a record, passes the HEALTHCHECK, drains, writes nothing under /app', async () => {
    expect(existsSync(join(app, 'node_modules', 'yaml'))).toBe(false); // a dev dependency stays out
    const pki = await testPki();
    const statusPort = await freePort();
    const configDir = mkdtempSync(join(tmpdir(), 'ft-image-'));
    const configPath = join(configDir, 'config.json');
    writeFileSync(
      configPath,
      JSON.stringify({
        host: '127.0.0.1',
        port: 0,
        status_port: statusPort,
        json_log_enable: true,
        records: { V: ['logger'], connectivity: ['logger'] },
        tls: { server_cert: pki.serverCert, server_key: pki.serverKey, ca_file: pki.caCert },
        gateway: { workers: 1, dispatch_threads: 1 },
      }),
    );
    const before = snapshot(app);
    const entrypoint = runtime.instructions.find((i) => i.startsWith('ENTRYPOINT '));
    expect(entrypoint).toBe('ENTRYPOINT ["node", "/app/dist/gateway/cli.js"]');
    const child = spawn(process.execPath, [join(app, 'dist', 'gateway', 'cli.js'), `-config=${configPath}`], {
      cwd: configDir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production', NODE_PATH: '' },
    });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const listening = new Promise<number>((resolve, reject) => {
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr += chunk;
        const line = stderr.split('\n').find((l) => l.includes('"server_listening"'));
        if (line !== undefined) resolve(Number((JSON.parse(line) as { port: number }).port));
      });
      void exited.then((code) => reject(new Error(`gateway exited with ${code} before listening:\n${stderr}`)));
    });
    try {
      const port = await listening;
      const vin = TEST_VINS[0];
      const vehicle = await VehicleConnection.connect({
        url: `wss://127.0.0.1:${port}/`,
        ca: readFileSync(pki.caCert),
        cert: readFileSync(pki.vehicles[vin].cert),
        key: readFileSync(pki.vehicles[vin].key),
      });
      vehicle.send(streamFrame({ topic: 'V', txid: 'image-1', payload: vehicleDataPayload(vin, 20, seededRandom(3)), vin }));
      expect(Buffer.from((await vehicle.nextReply()).bytes)).toEqual(Buffer.from(writeAck('image-1', 'V')));
      await vehicle.close();
      // The simulator as the compose stack's `vehicle` service runs it, from the same files.
      const simulator = spawnSync(
        process.execPath,
        [
          join(app, 'dist', 'bench', 'vehicle-cli.js'),
          '--url',
          `wss://127.0.0.1:${port}/`,
          '--pki',
          dirname(pki.caCert),
          '--vin',
          vin,
          '--count',
          '2',
        ],
        { encoding: 'utf8', timeout: 30_000 },
      );
      expect([simulator.status, simulator.stderr]).toEqual([0, '']);
      expect(simulator.stdout).toContain('2/2 alerts');
      const health = spawnSync(process.execPath, [join(app, 'healthcheck.js')], {
        env: { ...process.env, HEALTHCHECK_PORT: String(statusPort) },
      });
      expect(health.status).toBe(0);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    const after = spawnSync(process.execPath, [join(app, 'healthcheck.js')], {
      encoding: 'utf8',
      env: { ...process.env, HEALTHCHECK_PORT: String(statusPort) },
    });
    expect(after.status).toBe(1);
    expect(after.stderr).toContain('ECONNREFUSED');
    expect(snapshot(app)).toEqual(before);
  });
});

/** Every file under a folder with its size and modification time. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => join(e.parentPath, e.name))
    .map((p) => {
      const s = statSync(p);
      return `${relative(dir, p)} ${s.size} ${s.mtimeMs}`;
    })
    .sort();
}
