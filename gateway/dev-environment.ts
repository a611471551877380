/**
 * The embedded development default behind `npm start`: a development PKI generated once into the
 * git-ignored `.dev/` folder, and a config that listens with mTLS on port 4443 and sends every
 * record type to the logger sink.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ensureDevPki } from '../shared/pki';
import { packageRoot } from '../shared/package-root';

export const DEV_VINS = ['5YJ3E1EA7KF000001', '5YJ3E1EA7KF000002', '5YJ3E1EA7KF000003'];
export const DEV_PORT = 4443;

export interface DevEnvironment {
  configPath: string;
  instructions(port: number): string;
}

export async function prepareDevEnvironment(): Promise<DevEnvironment> {
  const root = packageRoot();
  const devDir = join(root, '.dev');
  const pki = await ensureDevPki(join(devDir, 'pki'), DEV_VINS);
  const config = {
    host: '127.0.0.1',
    port: DEV_PORT,
    status_port: 0,
    namespace: 'dev',
    log_level: 'info',
    json_log_enable: false,
    records: { V: ['logger'], alerts: ['logger'], errors: ['logger'], connectivity: ['logger'] },
    tls: { server_cert: pki.serverCert, server_key: pki.serverKey, ca_file: pki.caCert },
  };
  const configPath = join(devDir, 'config.json');
  await mkdir(devDir, { recursive: true });
  await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
  return {
    configPath,
    instructions: (port) =>
      [
        '',
        `Development gateway listening on wss://127.0.0.1:${port}/ (mTLS; CA and certificates in ${relative(process.cwd(), join(devDir, 'pki')) || '.'})`,
        `Config: ${configPath}`,
        `Vehicles with certificates: ${DEV_VINS.join(', ')}`,
        'Connect a simulated vehicle from another terminal:',
        `  npm run vehicle -- --vin ${DEV_VINS[0]} --count 10`,
        '',
      ].join('\n'),
  };
}
