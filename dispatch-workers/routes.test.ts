import { loadConfig } from '../config';
import { createLogger } from '../shared/log';
import { buildRoutes } from './routes';
import { SINKS } from './sinks/registry';

describe('buildRoutes', () => {
  it('marks the routes where no sink reads the decoded message (protobuf passthrough) or the payload', async () => {
    const config = loadConfig({
      json: {
        port: 1,
        tls: { server_cert: 'unused.pem', server_key: 'unused.pem', ca_file: 'unused.pem' },
        records: { V: ['kafka'], alerts: ['logger'], errors: ['kafka', 'logger'], connectivity: ['null'] },
        kafka: { 'bootstrap.servers': '127.0.0.1:1' },
        log_level: 'error',
      },
      env: {},
      sinkBlocks: SINKS.flatMap((s) => (s.configBlock ? [s.configBlock] : [])),
      knownSinks: SINKS.map((s) => s.name),
    });
    const { routes, sinks } = await buildRoutes(config, createLogger({ json: true, level: 'silent' }), { current: undefined });
    const flags = (type: string) => ({ decodedUnread: routes.get(type)!.decodedUnread, payloadUnread: routes.get(type)!.payloadUnread });
    expect(flags('V')).toEqual({ decodedUnread: true, payloadUnread: false });
    expect(flags('alerts')).toEqual({ decodedUnread: false, payloadUnread: true });
    expect(flags('errors')).toEqual({ decodedUnread: false, payloadUnread: false });
    expect(flags('connectivity')).toEqual({ decodedUnread: true, payloadUnread: true });
    await Promise.all(sinks.map((s) => s.close()));
  });
});
