/**
 * The profiler listener (PROTOCOL.md §2.1, §11.5) on `monitoring.profiler_host:profiler_port`
 * (loopback by default). Upstream's routes answer as the spec says; the Go-only ones are
 * placeholders. What Node can do, usable in production:
 *
 *   GET /debug/pprof/profile?seconds=N&worker=K|all|primary   CPU profile (.cpuprofile JSON)
 *   GET /debug/heap-snapshot?worker=K|all|primary            writes .heapsnapshot files, answers their paths
 *
 * `worker` defaults to the first worker; K is a worker slot (0 … workers-1).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { activity, logError } from '../../shared/log';
import type { Logger } from '../../shared/log';
import { gcStatsJson } from './gc-stats-json';
import type { LiveProfiler } from './live-profiler';
import type { ProfileTargets } from './profile-targets';
import { targetName } from './profile-targets';

const JSON_TYPE = { 'Content-Type': 'application/json' };
const TEXT_TYPE = { 'Content-Type': 'text/plain; charset=utf-8' };
/** Go's default for /debug/pprof/profile. */
const DEFAULT_PROFILE_SECONDS = 30;
const MAX_PROFILE_SECONDS = 600;
/** Go's named profiles: answered with a pointer to what Node offers instead. */
const GO_PROFILES = ['allocs', 'block', 'goroutine', 'heap', 'mutex', 'threadcreate'];

const INDEX = `fleet-telemetry gateway profiler (Node.js; Go's pprof formats are not available)

/debug/pprof/profile?seconds=30&worker=0   CPU profile of a worker's main thread (.cpuprofile: Chrome DevTools, speedscope)
                                           worker = slot number, all, or primary; default: the first worker
/debug/heap-snapshot?worker=0              write a .heapsnapshot per process (answers the file paths)
/debug/pprof/cmdline                       the primary's command line
/gc_stats                                  GC statistics of every process (JSON)
/live_profiler?mode=on|off                 record a CPU profile into monitoring.profiling_path
`;

export interface ProfilerOptions {
  host: string;
  port: number;
  /** Where heap snapshots go: beside `profiling_path`, else the OS temp directory. */
  profilingPath: string;
}

export function startProfilerListener(options: ProfilerOptions, targets: ProfileTargets, live: LiveProfiler, logger: Logger): Server {
  const snapshotDir = options.profilingPath === '' ? tmpdir() : dirname(options.profilingPath);
  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      const text = error instanceof Error ? error.message : String(error);
      logError(logger, 'profiler_request_error', text, { path: req.url ?? '' });
      if (!res.headersSent) res.writeHead(500, JSON_TYPE).end(JSON.stringify({ error: text }));
    });
  });

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://profiler');
    const path = url.pathname;
    const query = url.searchParams;
    if (path === '/live_profiler') {
      const answer = await live.request(query.get('mode'), query.get('worker'));
      res.writeHead(answer.status, JSON_TYPE).end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
      return;
    }
    if (path === '/gc_stats') {
      const selected = targets.select('all');
      const all = [{ kind: 'primary' as const }, ...(typeof selected === 'string' ? [] : selected)];
      const stats = await Promise.all(
        all.map(async (t) => ({ name: targetName(t), stats: await targets.gcStats(t).catch(() => undefined) })),
      );
      res.writeHead(200, JSON_TYPE).end(JSON.stringify(gcStatsJson(stats)));
      return;
    }
    if (path === '/debug/pprof/profile' || path === '/debug/heap-snapshot') {
      const selected = targets.select(query.get('worker'));
      if (typeof selected === 'string') {
        res.writeHead(404, JSON_TYPE).end(JSON.stringify({ error: selected }));
        return;
      }
      if (path === '/debug/heap-snapshot') {
        const files = await Promise.all(
          selected.map(async (t) => ({ target: targetName(t), ...(await targets.heapSnapshot(t, snapshotDir)) })),
        );
        activity(logger, 'heap_snapshot_written', { files: files.map((f) => f.path).join(',') });
        res.writeHead(200, JSON_TYPE).end(JSON.stringify({ files }));
        return;
      }
      const seconds = profileSeconds(query.get('seconds'));
      if (seconds === undefined) {
        res.writeHead(400, JSON_TYPE).end(JSON.stringify({ error: `seconds must be an integer from 1 to ${MAX_PROFILE_SECONDS}` }));
        return;
      }
      const profiles = await Promise.all(selected.map((t) => targets.cpuProfile(t, seconds)));
      const name = selected.length === 1 ? targetName(selected[0]) : 'all';
      const body = selected.length === 1 ? profiles[0] : Object.fromEntries(selected.map((t, i) => [targetName(t), profiles[i]]));
      res.writeHead(200, { ...JSON_TYPE, 'Content-Disposition': `attachment; filename="${name}.cpuprofile"` }).end(JSON.stringify(body));
      return;
    }
    if (path === '/debug/pprof/' || path === '/debug/pprof') {
      res.writeHead(200, TEXT_TYPE).end(INDEX);
    } else if (path === '/debug/pprof/cmdline') {
      res.writeHead(200, TEXT_TYPE).end(process.argv.join('\x00'));
    } else if (path === '/debug/pprof/symbol') {
      res.writeHead(200, TEXT_TYPE).end('num_symbols: 0\n'); // Go's answer without a program counter
    } else if (path === '/debug/pprof/trace') {
      res.writeHead(200, TEXT_TYPE).end('Go execution traces have no Node equivalent: use /debug/pprof/profile\n');
    } else if (GO_PROFILES.includes(path.slice('/debug/pprof/'.length)) && path.startsWith('/debug/pprof/')) {
      res.writeHead(200, TEXT_TYPE).end('Go profiles have no Node equivalent: see /debug/pprof/ for what is available\n');
    } else {
      res.writeHead(404, TEXT_TYPE).end('404 page not found\n');
    }
  }

  // §2.1: a failing profiler listener is only logged.
  server.on('error', (error) => logError(logger, 'profiler_listen_error', error, { port: options.port }));
  server.listen(options.port, options.host, () => activity(logger, 'profiler_started', { port: options.port }));
  return server;
}

function profileSeconds(value: string | null): number | undefined {
  if (value === null || value === '') return DEFAULT_PROFILE_SECONDS;
  const seconds = Number(value);
  return Number.isInteger(seconds) && seconds >= 1 && seconds <= MAX_PROFILE_SECONDS ? seconds : undefined;
}
