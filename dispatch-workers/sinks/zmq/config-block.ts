/** The `zmq` config block (PROTOCOL.md §10.4, §12.2). */
import type { SinkConfigBlock } from '../../../config';

export interface ZmqBlock {
  addr: string;
  server_key_json_path: string;
  allowed_public_keys_json_path: string;
  verbose: boolean;
}

export const ZMQ_CONFIG_BLOCK: SinkConfigBlock = {
  key: 'zmq',
  upstreamName: 'ZMQ',
  schema: {
    addr: { doc: 'Address the PUB socket binds, e.g. tcp://*:5284. Required.', format: String, default: '', goType: 'string' },
    server_key_json_path: {
      doc: 'JSON file {"secret": "<Z85>", "public": "<Z85>"}: enables CURVE with that secret key.',
      format: String,
      default: '',
      goType: 'string',
    },
    allowed_public_keys_json_path: {
      doc: 'With CURVE: JSON array of the Z85 public keys allowed to subscribe ("*" allows any); absent ⇒ nobody.',
      format: String,
      default: '',
      goType: 'string',
    },
    verbose: { doc: 'DEBUG-log every socket event (zmq_socket_event).', format: Boolean, default: false, goType: 'bool' },
  },
};

export function zmqBlock(value: unknown): ZmqBlock {
  return value as ZmqBlock;
}
