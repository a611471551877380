/**
 * Sinks: the throughput load against the gateway configured with each sink in turn (logger, null,
 * each broker with and without reliable acks), plus the ceiling once. Sinks the gateway does not
 * know yet are listed as not available; it is the gateway that says so (unknown dispatcher).
 */
import { renderLinePlot } from '../report/svg-plot';
import { note } from '../report/progress';
import { startCeiling, startGateway } from '../server/subjects';
import { freePort } from '../../shared/free-port';
import { probeGatewayConfig } from '../server/config-probe';
import { startService } from '../server/broker-service';
import type { RunningService } from '../server/broker-service';
import type { BenchOptions } from './bench-options';
import type { BenchPki } from '../load/client-identities';
import type { GoalCheck, Scenario, ScenarioOutput } from './scenario';
import { num, pct } from '../report/table';
import { SINK_VARIANTS, variantConfig } from './sink-variants';
import type { SinkVariant } from './sink-variants';
import { compareWithCeiling, runThroughput, throughputTable, timelineSeries } from './throughput-run';
import type { ThroughputRun } from './throughput-run';

interface Skipped {
  label: string;
  reason: string;
}

export const sinks: Scenario = async (o, pki) => {
  if (o.target !== undefined) throw new Error('the sinks scenario configures our gateway; it cannot run against --target');
  const skipped: Skipped[] = [];
  const known = new Map<string, string | undefined>(); // sink → why it is unavailable (undefined: available)
  const measurable: SinkVariant[] = [];
  for (const variant of SINK_VARIANTS.filter((v) => o.sinks.length === 0 || o.sinks.includes(v.label))) {
    if (!known.has(variant.sink)) known.set(variant.sink, await unavailableReason(pki, variant));
    const reason = known.get(variant.sink);
    if (reason === undefined) measurable.push(variant);
    else skipped.push({ label: variant.label, reason });
  }
  for (const s of skipped) note(`[sinks] ${s.label}: ${s.reason}`);
  // Every broker stays up for the whole run: the gateways are measured in alternating slices.
  const services = new Map<string, RunningService>();
  try {
    for (const v of measurable) {
      if (v.service === undefined || services.has(v.service)) continue;
      note(`[sinks] starting test/services/${v.service}`);
      services.set(v.service, await startService(v.service, v.serviceEnv));
    }
    const starters = measurable.map((v) => {
      const env = (v.service === undefined ? undefined : services.get(v.service)?.env) ?? {};
      const gateway = { workers: o.workers, dispatch_threads: o.dispatchThreads, drain_timeout_ms: 5000 };
      return () => startGateway(o, pki, { label: `gateway[${v.label}]`, config: variantConfig(v, env, gateway), env: v.gatewayEnv?.(env) });
    });
    if (o.baseline) starters.push(() => startCeiling(o, pki));
    const runs = await runThroughput(o, starters);
    const ceiling = o.baseline ? runs[runs.length - 1] : undefined;
    for (const r of runs) compareWithCeiling(r, ceiling);
    return output(o, runs, skipped);
  } finally {
    for (const service of services.values()) await service.stop();
  }
};

function output(o: BenchOptions, runs: ThroughputRun[], skipped: Skipped[]): ScenarioOutput {
  return {
    results: { runs, notAvailable: skipped },
    tables: [
      throughputTable(`sinks: ${o.vehicles} vehicles × ${o.window} unanswered frames, ${o.durationS} s each`, runs),
      { title: 'sinks not measured', header: ['sink', 'why'], rows: skipped.map((s) => [s.label, s.reason]) },
    ],
    plots: [
      {
        suffix: 'timeline',
        svg: renderLinePlot({
          title: 'ACKed records/s per sink configuration',
          xLabel: 'seconds',
          yLabel: 'ACKed records/s',
          series: timelineSeries(runs),
          yRange: [0, 0],
        }),
      },
    ],
    goals: sinkGoals(runs),
    notes: skipped.map((s) => `${s.label}: ${s.reason}`),
  };
}

/** This round's sink goals, judged on the rows measured beside a ceiling (none without one). */
function sinkGoals(runs: readonly ThroughputRun[]): GoalCheck[] {
  const row = (label: string) => runs.find((r) => r.label === `gateway[${label}]` && r.vsCeiling !== undefined);
  const goals: GoalCheck[] = [];
  const kafka = row('kafka reliable');
  if (kafka?.vsCeiling !== undefined) {
    const fraction = kafka.vsCeiling.rateFraction;
    const microseconds = kafka.load.server.cpuSecondsPer1000Records * 1000;
    goals.push(
      { goal: 'Kafka with reliable acks ≥ 25 % of the ceiling', measured: pct(fraction), met: fraction >= 0.25 },
      {
        goal: 'Kafka with reliable acks ≤ 25 µs of server CPU per record',
        measured: `${num(microseconds, 1)} µs`,
        met: microseconds <= 25,
      },
    );
  }
  const nullSink = row('null');
  if (nullSink?.vsCeiling !== undefined) {
    const fraction = nullSink.vsCeiling.rateFraction;
    goals.push({ goal: 'null sink ≥ 50 % of the ceiling', measured: pct(fraction), met: fraction >= 0.5 });
  }
  return goals;
}

/** undefined when the gateway knows the sink; otherwise why it cannot be measured. */
async function unavailableReason(pki: BenchPki, v: SinkVariant): Promise<string | undefined> {
  const port = await freePort();
  const config = {
    host: '127.0.0.1',
    port,
    tls: { server_cert: pki.serverCert, server_key: pki.serverKey, ca_file: pki.caCert },
    gateway: { workers: 1, drain_timeout_ms: 1000 },
    ...variantConfig({ ...v, reliable: false }, {}),
  };
  const probe = await probeGatewayConfig(config, port, v.gatewayEnv?.({}) ?? {});
  if (probe.ok) return undefined;
  if (/unknown dispatcher|unknown_dispatch_rule/i.test(probe.error)) return 'not available yet (the gateway has no such sink)';
  // Known but refused without its broker: measure it with the broker running.
  return undefined;
}
