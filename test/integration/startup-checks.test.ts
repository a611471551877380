/**
 * The operator's first hour: a port another process listens on, and a bad server key, stop the
 * start once with a line that names the port or the config key and the file (no stack trace, no
 * message per worker), instead of sharing the port or failing in every worker.
 */
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { GatewayProcess, TEST_VINS, testPki } from '../harness/gateway-process';
import { expectStartupFailure } from '../harness/startup-failure';
import { freePort } from '../../shared/free-port';

const STACK_FRAME = /^\s+at /m;

describe('the vehicle port', () => {
  it('is refused, naming it, when another process already listens there', async () => {
    const port = await freePort();
    const other: Server = createServer();
    await new Promise<void>((resolve) => other.listen(port, '127.0.0.1', resolve));
    try {
      const result = await expectStartupFailure({ port, gateway: { workers: 2 } }, {}, /error=listen/);
      expect(result.exitCode).toBe(1);
      expect(result.listened).toBe(false);
      expect(result.stderr).toContain(`127.0.0.1:${port} (config key \\"port\\") is already in use by another process`);
      expect(result.stderr).not.toMatch(STACK_FRAME);
    } finally {
      other.close();
    }
  });

  it('is refused to a second gateway while the first one’s workers share it', async () => {
    const first = await GatewayProcess.start({ workers: 2 });
    try {
      const result = await expectStartupFailure({ port: first.port }, {}, /error=listen/);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(`127.0.0.1:${first.port} (config key \\"port\\") is already in use`);
      // The first gateway is untouched and serves.
      const vehicle = await first.vehicle(TEST_VINS[0]);
      await vehicle.close();
    } finally {
      expect(await first.stop()).toBe(0);
    }
  });
});

describe('TLS files', () => {
  it('a server key that does not match the certificate: one line naming tls.server_key, no stack trace', async () => {
    const pki = await testPki();
    const wrongKey = Object.values(pki.vehicles)[0].key;
    const result = await expectStartupFailure(
      { tls: { server_cert: pki.serverCert, server_key: wrongKey, ca_file: pki.caCert }, gateway: { workers: 2 } },
      {},
      /error=load_service_config/,
    );
    expect(result.exitCode).toBe(1);
    const lines = result.stderr.split('\n').filter((l) => l.includes('tls.server_key'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${wrongKey} does not match the certificate in tls.server_cert`);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stderr).not.toContain('App construction failed');
  });
});
