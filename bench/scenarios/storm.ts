/**
 * Storm: N connected vehicles lose their connections at once (TCP close without any TLS or WebSocket goodbye) and all reconnect at once;
 * measured: the time until every one is connected and has had a frame ACKed again, and the failed
 * handshakes on the way (an attempt is abandoned after 30 s and retried after ~250 ms, as a vehicle would). The --compare
 * server and the ceiling are stormed too, one after the other.
 */
import { renderLinePlot } from '../report/svg-plot';
import { num, pct } from '../report/table';
import { effectiveFdLimit } from '../server/fd-limit';
import { startCeiling, startCompared, startSubject } from '../server/subjects';
import type { Subject } from '../server/subjects';
import type { BenchOptions } from './bench-options';
import type { Scenario } from './scenario';
import { closeRig, connect, openRig } from './rig';
import type { ConnectSummary } from './rig';
import { storm as stormRig } from './storm-phase';
import type { StormSummary } from './storm-phase';
import { profileReport, profileTables } from './profile-report';
import { times } from './throughput-run';

const DEADLINE_S = 60;
const RETRY_DELAY_MS = 250;

interface StormRun {
  label: string;
  measured: boolean;
  profileDir?: string;
  connect: ConnectSummary;
  storm: StormSummary;
}

/**
 * How long the storm would take if the server had its worker count of cores to itself and the
 * vehicles were elsewhere: its CPU per reconnected vehicle × vehicles ÷ workers. On a shared 2-core
 * machine the generators' own TLS handshakes (Node's OpenSSL client costs more per handshake than
 * uWS's BoringSSL server) take much of the CPU, so the measured time is mostly theirs.
 */
function serverBoundSeconds(s: StormSummary, workers: number): number {
  return (s.vehicles * s.serverMsPerVehicle) / 1000 / workers;
}

async function stormRun(o: BenchOptions, start: () => Promise<Subject>): Promise<StormRun> {
  const subject = await start();
  try {
    const rig = await openRig(o, subject, { vehicles: o.stormVehicles, connectConcurrency: 32 });
    try {
      const connected = await connect(rig, o.stormVehicles);
      const storm = await stormRig(rig, DEADLINE_S, RETRY_DELAY_MS);
      return { label: subject.label, measured: subject.pids().length > 0, profileDir: subject.profileDir, connect: connected, storm };
    } finally {
      await closeRig(rig);
    }
  } finally {
    await subject.stop();
  }
}

export const storm: Scenario = async (o, pki) => {
  const limit = effectiveFdLimit();
  if (o.stormVehicles / Math.max(1, Math.min(o.generators, o.workers)) > limit - 100) {
    throw new Error(`${o.stormVehicles} vehicles need more than the file-descriptor limit (${limit}) per process`);
  }
  // Checked (and one record ACKed) before anything starts: a wrong option fails at once.
  const other = await startCompared(o);
  const runs = [await stormRun(o, () => startSubject(o, pki))];
  const compared = other === undefined ? undefined : await stormRun(o, async () => other);
  if (compared !== undefined) runs.push(compared);
  const ceiling = o.baseline ? await stormRun(o, () => startCeiling(o, pki)) : undefined;
  if (ceiling !== undefined) runs.push(ceiling);
  const gateway = runs[0];
  // A server whose pid is unknown has no CPU figures.
  const cpu = (r: StormRun, n: number) => (r.measured ? n : NaN);
  const s = gateway.storm;
  // The profiles cover the connect phase and the storm: handshakes and session set-up.
  const profile = profileReport(gateway.profileDir);
  return {
    results: { runs, deadlineSeconds: DEADLINE_S, retryDelayMs: RETRY_DELAY_MS, profile },
    tables: [
      {
        title: `reconnect storm: ${o.stormVehicles} vehicles dropped and reconnecting at once`,
        header: [
          'server',
          'vehicles',
          'back',
          'all back s',
          'p50 s',
          'p99 s',
          '× ceiling',
          'failed handshakes',
          'listen overflows',
          'server cores',
          'server ms CPU/vehicle',
          'server-bound s',
          'generator cores',
          'generator ms CPU/vehicle',
          'others cores',
          ...(compared === undefined ? [] : ['× compared']),
        ],
        rows: runs.map((r) => [
          r.label,
          num(r.storm.vehicles),
          num(r.storm.back),
          num(r.storm.allBackSeconds, 2),
          num(r.storm.p50Seconds, 2),
          num(r.storm.p99Seconds, 2),
          ceiling === undefined || r === ceiling ? '–' : times(r.storm.allBackSeconds / ceiling.storm.allBackSeconds),
          num(r.storm.failedHandshakes),
          num(r.storm.listenOverflows),
          num(cpu(r, r.storm.server.cores), 2),
          num(r.storm.serverMsPerVehicle, 2),
          num(serverBoundSeconds(r.storm, o.workers), 1),
          `${num(r.storm.generator.cores, 2)} (${pct(r.storm.generator.share)})`,
          num(r.storm.generatorMsPerVehicle, 2),
          num(r.storm.others.cores, 2),
          ...(compared === undefined ? [] : [r === gateway ? times(r.storm.allBackSeconds / compared.storm.allBackSeconds) : '–']),
        ]),
      },
      ...(profile === undefined ? [] : profileTables(gateway.label, profile)),
    ],
    plots: [
      {
        suffix: 'reconnect',
        svg: renderLinePlot({
          title: `vehicles connected and ACKed again after a ${num(o.stormVehicles)}-vehicle drop`,
          xLabel: 'seconds since the drop',
          yLabel: 'vehicles back',
          xRange: [0, 0],
          yRange: [0, o.stormVehicles],
          series: runs.map((r) => ({ name: r.label, points: r.storm.curve })),
        }),
      },
    ],
    goals: [
      {
        goal: "a 10k-vehicle reconnect storm absorbed in ≤ 1.2 × the ceiling's time",
        measured:
          `${num(s.back)}/${num(s.vehicles)} back in ${num(s.allBackSeconds, 2)} s (server-bound: ${num(serverBoundSeconds(s, o.workers), 1)} s)` +
          (ceiling === undefined
            ? '; no ceiling run'
            : `; ceiling ${num(ceiling.storm.allBackSeconds, 2)} s (${times(s.allBackSeconds / ceiling.storm.allBackSeconds)})`) +
          (compared === undefined
            ? ''
            : `; compared server: ${num(compared.storm.back)} back in ${num(compared.storm.allBackSeconds, 2)} s (ours ${times(s.allBackSeconds / compared.storm.allBackSeconds)})`),
        met:
          s.vehicles < 10_000 || ceiling === undefined
            ? null
            : s.back === s.vehicles && s.allBackSeconds <= 1.2 * ceiling.storm.allBackSeconds,
      },
    ],
    notes: s.vehicles < 10_000 ? [`goal needs --storm-vehicles 10000 (ran ${s.vehicles})`] : [],
  };
};
