/**
 * Builds the dispatch table of one dispatch thread (PROTOCOL.md §12.3 step 4): record type → its
 * sinks in list order (a sink listed twice is called twice), one instance per sink kind.
 *
 * A sink that runs on the main thread is represented here by a stand-in that copies the encoded
 * record into the batch's ForwardBuffer; the main thread produces it and folds in its verdict.
 */
import type { GatewayConfig } from '../config';
import type { Logger } from '../shared/log';
import type { Route } from './pipeline/route-record';
import type { ForwardBuffer } from './pipeline/forward-buffer';
import type { Sink } from './sinks/sink';
import { ACCEPTED } from './sinks/sink';
import { sinkDefinition } from './sinks/registry';
import { threadMetrics } from '../shared/metrics';

/** The ForwardBuffer of the batch being dispatched. */
export interface ForwardTarget {
  current: ForwardBuffer | undefined;
}

export async function buildRoutes(
  config: GatewayConfig,
  logger: Logger,
  forwardTarget: ForwardTarget,
): Promise<{ routes: Map<string, Route>; sinks: Sink[] }> {
  const instances = new Map<string, Sink>();
  const routes = new Map<string, Route>();
  for (const [recordType, names] of Object.entries(config.records)) {
    const sinks: { name: string; sink: Sink }[] = [];
    for (const name of names) {
      const definition = sinkDefinition(name);
      // Config validation rejected unknown names at startup (D8); reaching this is a bug.
      if (definition === undefined) throw new Error(`unknown sink ${name} for record type ${recordType}`);
      let sink = instances.get(name);
      if (sink === undefined) {
        sink =
          definition.runsOn === 'pool'
            ? await definition.create({ config, logger, metrics: threadMetrics() })
            : forwardingStandIn(name, config, forwardTarget);
        instances.set(name, sink);
      }
      sinks.push({ name, sink });
    }
    const source = config.reliable_ack_sources[recordType];
    // A main-thread source confirms on the main thread: the pool sees it as a plain sink.
    const reliableSource = source !== undefined && sinkDefinition(source)?.runsOn === 'pool' ? source : undefined;
    const payloadUnread = names.every((name) => sinkDefinition(name)?.readsPayload === false);
    const decodedUnread = names.every((name) => sinkDefinition(name)?.readsDecoded !== true);
    routes.set(recordType, { sinks, reliableSource, payloadUnread, decodedUnread });
  }
  const poolSinks = [...instances.entries()].filter(([name]) => sinkDefinition(name)?.runsOn === 'pool').map(([, sink]) => sink);
  return { routes, sinks: poolSinks };
}

function forwardingStandIn(name: string, config: GatewayConfig, target: ForwardTarget): Sink {
  return {
    produce(record) {
      const reliable = config.reliable_ack_sources[record.recordType] === name;
      target.current?.add(name, reliable, record);
      return ACCEPTED; // provisional: the main thread withdraws the ACK if the real sink refuses
    },
    async close() {},
  };
}
