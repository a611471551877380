/**
 * Summarises V8 `.cpuprofile` files (node --cpu-prof): self time per function, per profile and over
 * all of them, so a run with --profile can say what dominates the server's CPU.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface FunctionCost {
  function: string;
  /** file:line, relative to the repository when inside it. */
  location: string;
  selfMs: number;
  /** Of all sampled time (idle excluded). */
  selfShare: number;
}

export interface ProfileSummary {
  file: string;
  /** 'main' for a process's main thread, 'thread' for worker threads (the dispatch lanes). */
  thread: 'main' | 'thread' | 'mixed';
  busyMs: number;
  idleMs: number;
  top: FunctionCost[];
}

/**
 * Samples are wall-clock: these frames are a thread waiting, not working. '(idle)' is an empty
 * event loop; piscina's atomicsWaitLoop is a dispatch thread blocked in Atomics.wait for its next
 * task. '(program)' is native work (uWS, TLS, syscalls) and counts.
 */
const WAITING = new Set(['(idle)', 'atomicsWaitLoop']);

/** Self time per function of one profile: samples × their time deltas, attributed to the leaf node. */
export function selfTimes(profile: CpuProfile, root = ''): { costs: Map<string, { fn: string; loc: string; ms: number }>; idleMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const costs = new Map<string, { fn: string; loc: string; ms: number }>();
  let idleMs = 0;
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]);
    // A sample's time is the delta to the next one (V8's convention).
    const ms = (deltas[i + 1] ?? 0) / 1000;
    if (node === undefined) continue;
    const fn = node.callFrame.functionName || '(anonymous)';
    if (WAITING.has(fn)) {
      idleMs += ms;
      continue;
    }
    const url = node.callFrame.url.replace(/^file:\/\//, '').replace(root, '');
    const loc = url === '' ? '(native)' : `${url}:${node.callFrame.lineNumber + 1}`;
    const key = `${fn} ${loc}`;
    const entry = costs.get(key);
    if (entry === undefined) costs.set(key, { fn, loc, ms });
    else entry.ms += ms;
  }
  return { costs, idleMs };
}

/** Node names them CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; thread 0 is the main thread. */
function threadOf(file: string): 'main' | 'thread' {
  const parts = file.split('.');
  return parts.length >= 7 && parts[parts.length - 3] === '0' ? 'main' : 'thread';
}

export interface ProfileSet {
  perProfile: ProfileSummary[];
  /** Over every profile, then over main threads only and worker threads only. */
  combined: ProfileSummary;
  mainThreads: ProfileSummary;
  workerThreads: ProfileSummary;
}

export function summariseProfiles(dir: string, root: string, top = 15): ProfileSet {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  const perProfile: ProfileSummary[] = [];
  const groups = { all: new Group(), main: new Group(), thread: new Group() };
  for (const f of files) {
    const profile = JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile;
    const { costs, idleMs } = selfTimes(profile, root.endsWith('/') ? root : `${root}/`);
    const thread = threadOf(f);
    perProfile.push(rank(basename(f), thread, costs, idleMs, top));
    groups.all.add(costs, idleMs);
    groups[thread].add(costs, idleMs);
  }
  return {
    perProfile,
    combined: rank('all profiles', 'mixed', groups.all.costs, groups.all.idleMs, top),
    mainThreads: rank('main threads', 'main', groups.main.costs, groups.main.idleMs, top),
    workerThreads: rank('worker threads', 'thread', groups.thread.costs, groups.thread.idleMs, top),
  };
}

class Group {
  readonly costs = new Map<string, { fn: string; loc: string; ms: number }>();
  idleMs = 0;

  add(costs: Map<string, { fn: string; loc: string; ms: number }>, idleMs: number): void {
    for (const [k, v] of costs) {
      const e = this.costs.get(k);
      if (e === undefined) this.costs.set(k, { ...v });
      else e.ms += v.ms;
    }
    this.idleMs += idleMs;
  }
}

function rank(
  file: string,
  thread: ProfileSummary['thread'],
  costs: Map<string, { fn: string; loc: string; ms: number }>,
  idleMs: number,
  top: number,
): ProfileSummary {
  const entries = [...costs.values()].sort((a, b) => b.ms - a.ms);
  const busyMs = entries.reduce((s, e) => s + e.ms, 0);
  return {
    file,
    thread,
    busyMs,
    idleMs,
    top: entries.slice(0, top).map((e) => ({ function: e.fn, location: e.loc, selfMs: e.ms, selfShare: busyMs > 0 ? e.ms / busyMs : 0 })),
  };
}
