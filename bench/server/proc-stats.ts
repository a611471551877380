/**
 * CPU time and resident memory of a process tree, read from /proc: the gateway is a cluster
 * primary with worker processes (each with dispatch threads), so its cost is the sum over the tree.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

interface StatLine {
  ppid: number;
  /** user + system CPU seconds of the process (all its threads). */
  cpuSeconds: number;
}

function readStat(pid: number, path = `/proc/${pid}/stat`): StatLine | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / clockTicks() };
  } catch {
    return undefined; // it exited meanwhile
  }
}

function readRssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}

/** The given processes and all their descendants. */
export function processTree(roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat === undefined) continue;
    const list = children.get(stat.ppid);
    if (list === undefined) children.set(stat.ppid, [Number(name)]);
    else list.push(Number(name));
  }
  const tree: number[] = [];
  const todo = roots.filter((pid) => pid > 0);
  while (todo.length > 0) {
    const pid = todo.pop() as number;
    tree.push(pid);
    todo.push(...(children.get(pid) ?? []));
  }
  return tree;
}

export interface TreeUsage {
  processes: number;
  cpuSeconds: number;
  /** Of cpuSeconds, the main threads' (event loops: uWS, TLS, sessions); the rest is other threads. */
  mainThreadCpuSeconds: number;
  rssBytes: number;
}

export function treeUsage(roots: readonly number[]): TreeUsage {
  const pids = processTree(roots);
  let cpuSeconds = 0;
  let mainThreadCpuSeconds = 0;
  let rssBytes = 0;
  for (const pid of pids) {
    cpuSeconds += readStat(pid)?.cpuSeconds ?? 0;
    mainThreadCpuSeconds += readStat(pid, `/proc/${pid}/task/${pid}/stat`)?.cpuSeconds ?? 0;
    rssBytes += readRssBytes(pid);
  }
  return { processes: pids.length, cpuSeconds, mainThreadCpuSeconds, rssBytes };
}

/** CPU seconds the whole machine spent busy (all cores, every process), from /proc/stat. */
export function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: busy = all but idle and iowait.
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - fields[3] - fields[4]) / clockTicks();
}

/**
 * TCP listen-queue counters of the whole machine (/proc/net/netstat, TcpExt): connections the
 * kernel could not queue for accept() because a listener's backlog was full. Clients then wait
 * for SYN-ACK retransmissions (1 s, 3 s, 7 s, …), which is how a storm turns into idle waiting.
 */
export function listenQueueDrops(): { overflows: number; drops: number } {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
  const header = lines.findIndex((l) => l.startsWith('TcpExt:'));
  if (header < 0 || lines[header + 1] === undefined) return { overflows: NaN, drops: NaN };
  const names = lines[header].split(/\s+/);
  const values = lines[header + 1].split(/\s+/).map(Number);
  const get = (name: string) => values[names.indexOf(name)] ?? NaN;
  return { overflows: get('ListenOverflows'), drops: get('ListenDrops') };
}
