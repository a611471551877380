/**
 * Builds the dispatch table of one dispatch thread (PROTOCOL.md §12.3 step 4): record type → its
 * sinks in list order (a sink listed twice is called twice), one instance per sink kind.
 */
import type { GatewayConfig } from '../config';
import type { Logger } from '../shared/log';
import type { Route } from './pipeline/route-record';
import type { Sink } from './sinks/sink';
import { sinkDefinition } from './sinks/registry';

export async function buildRoutes(
  config: GatewayConfig,
  logger: Logger,
  runsOn: 'pool' | 'main',
): Promise<{ routes: Map<string, Route>; sinks: Sink[] }> {
  const instances = new Map<string, Sink>();
  const routes = new Map<string, Route>();
  for (const [recordType, names] of Object.entries(config.records)) {
    const sinks: { name: string; sink: Sink }[] = [];
    for (const name of names) {
      const definition = sinkDefinition(name);
      // Config validation rejected unknown names at startup (D8); reaching this is a bug.
      if (definition === undefined) throw new Error(`unknown sink ${name} for record type ${recordType}`);
      if (definition.runsOn !== runsOn) {
        throw new Error(`sink ${name} runs on the ${definition.runsOn} thread, which this gateway does not drive yet`);
      }
      let sink = instances.get(name);
      if (sink === undefined) {
        sink = await definition.create({ config, logger });
        instances.set(name, sink);
      }
      sinks.push({ name, sink });
    }
    routes.set(recordType, { sinks, reliableSource: config.reliable_ack_sources[recordType] });
  }
  return { routes, sinks: [...instances.values()] };
}
