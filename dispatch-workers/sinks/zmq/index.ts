/**
 * `zmq` dispatcher (PROTOCOL.md §10.4): a PUB socket bound to `zmq.addr`, one 2-frame message per
 * record. It runs on the main thread of the (single) worker: only one socket can bind the address.
 */
import { ConfigError } from '../../../config';
import type { GatewayConfig } from '../../../config';
import { activity } from '../../../shared/log';
import type { SinkDefinition } from '../sink';
import { ZMQ_CONFIG_BLOCK, zmqBlock } from './config-block';
import type { ZmqBlock } from './config-block';
import { ZmqSink } from './zmq-sink';

export const zmqSink: SinkDefinition = {
  name: 'zmq',
  runsOn: 'main',
  confirmsDelivery: false,
  readsPayload: true,
  configBlock: ZMQ_CONFIG_BLOCK,
  async create({ config, logger, metrics }) {
    const block = zmqBlock(config.sinks.zmq);
    checkZmqConfig(block, config);
    // zeromq is loaded only where the sink is used.
    const { bindPublisher } = await import('./zmq-socket');
    const socket = await bindPublisher(block, logger);
    activity(logger, 'zmq_registered', { addr: block.addr, curve: block.server_key_json_path !== '' });
    return new ZmqSink(socket, config.namespace, logger, metrics);
  },
};

/** Startup checks naming the key (our deviations; see the README). */
export function checkZmqConfig(block: ZmqBlock, config: Pick<GatewayConfig, 'reliableAckBySink' | 'workerCount'>): void {
  if (block.addr === '')
    throw new ConfigError('CONFIG_INVALID_VALUE', 'config key "zmq.addr" is required: the address to bind, e.g. tcp://*:5284', 'zmq.addr');
  const reliable = config.reliableAckBySink.zmq ?? [];
  if (reliable.length > 0) {
    const key = `reliable_ack_sources.${reliable[0]}`;
    throw new ConfigError(
      'CONFIG_RELIABLE_ACK',
      `config key "${key}": zmq cannot confirm delivery (a PUB socket drops what no subscriber takes), so it cannot be a reliable ack source; choose another dispatcher of that record type`,
      key,
    );
  }
  if (config.workerCount > 1) {
    throw new ConfigError(
      'CONFIG_INVALID_VALUE',
      `config key "gateway.workers": zmq binds one socket to ${block.addr}, which only one worker process can do; set gateway.workers to 1 (it is ${config.workerCount}) or remove zmq from records`,
      'gateway.workers',
    );
  }
}
