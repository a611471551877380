/**
 * The profiler listener (PROTOCOL.md §11.5, INTEGRATION-TESTS.md P4–P6): upstream's routes answer as
 * the spec says; a CPU profile of a chosen worker and heap snapshots are usable in production.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GatewayProcess } from '../harness/gateway-process';
import { freePort } from '../../shared/free-port';
import { httpGet } from './metrics-scrape';

interface CpuProfile {
  nodes: { callFrame: { functionName: string } }[];
  startTime: number;
  endTime: number;
}

describe('profiler listener, 2 workers', () => {
  let gateway: GatewayProcess;
  let port: number;
  let dir: string;
  beforeAll(async () => {
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'ft-profiler-'));
    gateway = await GatewayProcess.start({
      workers: 2,
      config: { monitoring: { profiler_port: port, profiling_path: join(dir, 'profile') } },
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers upstream’s routes: /gc_stats, /debug/pprof/*, /live_profiler off ⇒ 304 (P4–P6)', async () => {
    expect((await httpGet(port, '/debug/pprof/')).status).toBe(200);
    for (const route of ['cmdline', 'symbol', 'trace']) expect((await httpGet(port, `/debug/pprof/${route}`)).status).toBe(200);
    const gc = await httpGet(port, '/gc_stats');
    expect(gc.status).toBe(200);
    expect(Object.keys(JSON.parse(gc.body))).toEqual(
      expect.arrayContaining(['LastGC', 'NumGC', 'PauseTotal', 'Pause', 'PauseEnd', 'PauseQuantiles']),
    );
    expect(await httpGet(port, '/live_profiler?mode=off')).toMatchObject({ status: 304, body: '' });
    expect(await httpGet(port, '/live_profiler')).toMatchObject({ status: 400, body: '{"error":"mode not specified"}' });
    expect((await httpGet(port, '/nothing')).status).toBe(404);
  });

  it('records a CPU profile of the chosen worker for N seconds', async () => {
    const res = await httpGet(port, '/debug/pprof/profile?seconds=1&worker=1');
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe('attachment; filename="worker-1.cpuprofile"');
    const profile = JSON.parse(res.body) as CpuProfile;
    expect(profile.nodes[0].callFrame.functionName).toBe('(root)');
    expect(profile.endTime - profile.startTime).toBeGreaterThanOrEqual(900_000); // µs
    expect((await httpGet(port, '/debug/pprof/profile?seconds=1&worker=7')).status).toBe(404);
    expect((await httpGet(port, '/debug/pprof/profile?seconds=0')).status).toBe(400);
  });

  it('writes heap snapshots beside the profiling file', async () => {
    const res = await httpGet(port, '/debug/heap-snapshot?worker=all');
    expect(res.status).toBe(200);
    const { files } = JSON.parse(res.body) as { files: { target: string; path: string }[] };
    expect(files.map((f) => f.target)).toEqual(['worker-0', 'worker-1']);
    for (const f of files) {
      expect(f.path.startsWith(dir)).toBe(true);
      expect(statSync(f.path).size).toBeGreaterThan(100_000);
      rmSync(f.path);
    }
  });

  it('writes a real CPU profile to profiling_path between mode=on and mode=off (S13)', async () => {
    const path = join(dir, 'profile');
    expect(existsSync(path)).toBe(true); // created at startup
    expect(await httpGet(port, '/live_profiler?mode=on')).toMatchObject({ status: 200, body: '{"result":"mode on"}' });
    expect((await httpGet(port, '/live_profiler?mode=on')).status).toBe(304);
    await new Promise((r) => setTimeout(r, 200));
    expect(await httpGet(port, '/live_profiler?mode=off')).toMatchObject({ status: 200, body: '{"result":"mode off"}' });
    const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
    expect(profile.nodes.length).toBeGreaterThan(0);
  });
});

it('answers 405 on /live_profiler without profiling_path', async () => {
  const port = await freePort();
  const gateway = await GatewayProcess.start({ config: { monitoring: { profiler_port: port } } });
  try {
    expect(await httpGet(port, '/live_profiler?mode=on')).toMatchObject({ status: 405, body: '{"error":"profiler not configured"}' });
    expect(gateway.logs.some((l) => l.msg === 'profiler_started' && l.port === port)).toBe(true);
    expect(gateway.logs.some((l) => l.msg === 'config_skipping_empty_metrics_provider')).toBe(true);
  } finally {
    await gateway.stop();
  }
});
