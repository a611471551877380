import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TemplatedApp, us_listen_socket } from '@btc-vision/uwebsockets.js';
import { getClientCertificatePem, loadUws } from './uws-loader';

// Requires `npm run build` first on glibc < 2.38 hosts (dist/native/ holds the patched copy).
const uws = loadUws();

const listening: { app: TemplatedApp; socket: us_listen_socket }[] = [];

/** Listens on an ephemeral port; everything is closed after all tests so jest can exit. */
function listen(app: TemplatedApp): Promise<number> {
  return new Promise((done, fail) => {
    app.listen('127.0.0.1', 0, (socket) => {
      if (socket === false) return fail(new Error('uWS listen failed'));
      listening.push({ app, socket });
      done(uws.us_socket_local_port(socket));
    });
  });
}

function httpsGet(port: number, path: string, client?: { cert: Buffer; key: Buffer }) {
  return new Promise<{ status: number; body: string }>((done, fail) => {
    // agent: false -> no keep-alive socket left behind for uWS to hold open.
    const req = https.get({ host: '127.0.0.1', port, path, rejectUnauthorized: false, agent: false, ...client }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', fail);
  });
}

/** A self-signed P-256 certificate; the gateway's own certs are EC too. */
function selfSigned(dir: string, name: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'];
  execFileSync('openssl', [...args, '-subj', `/CN=${name}`, '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { certFile, keyFile };
}

afterAll(() => {
  for (const { app, socket } of listening) {
    uws.us_listen_socket_close(socket);
    app.close(); // also drops fetch's keep-alive connections, which would keep the loop alive
  }
});

describe('loadUws', () => {
  it('returns the memoized uWS module with its native and JS exports', () => {
    expect(loadUws()).toBe(uws);
    expect(typeof uws.App).toBe('function');
    expect(typeof uws.SSLApp).toBe('function');
    // Defined by the package's uws.js (not the binary nor index.d.ts); present on both load paths.
    expect(Object.keys(uws)).toContain('DeclarativeResponse');
  });

  it('serves plain HTTP from an App', async () => {
    const app = uws.App().get('/hello/:name', (res, req) => {
      const name = req.getParameter(0) ?? '';
      res.writeStatus('201 Created').writeHeader('x-served-by', 'uws').end(`hi ${name}`);
    });
    const port = await listen(app);
    const res = await fetch(`http://127.0.0.1:${port}/hello/car`);
    expect(res.status).toBe(201);
    expect(res.headers.get('x-served-by')).toBe('uws');
    expect(await res.text()).toBe('hi car');
  });

  describe('SSLApp', () => {
    let dir: string;
    let port: number;
    let client: { cert: Buffer; key: Buffer };

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'uws-loader-'));
      const server = selfSigned(dir, 'localhost');
      const vehicle = selfSigned(dir, 'vehicle');
      client = { cert: readFileSync(vehicle.certFile), key: readFileSync(vehicle.keyFile) };
      // ca_file_name makes uWS request (not require) a client certificate and verify it against that CA.
      const app = uws.SSLApp({
        cert_file_name: server.certFile,
        key_file_name: server.keyFile,
        ca_file_name: vehicle.certFile,
      });
      app.get('/cert', (res) => {
        res.end(getClientCertificatePem(res));
      });
      port = await listen(app);
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('serves over TLS and reports no client certificate when none is sent', async () => {
      expect(await httpsGet(port, '/cert')).toEqual({ status: 200, body: '' });
    });

    it("exposes the client's leaf certificate as PEM", async () => {
      const res = await httpsGet(port, '/cert', client);
      expect(res.status).toBe(200);
      expect(res.body.trim()).toBe(client.cert.toString('utf8').trim());
    });
  });

  it('getClientCertificatePem returns "" on a plain App (the method does not exist there)', async () => {
    let seen: string | undefined;
    const port = await listen(
      uws.App().get('/*', (res) => {
        seen = getClientCertificatePem(res);
        res.end('ok');
      }),
    );
    await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(seen).toBe('');
  });
});

// Only meaningful where the stock binary cannot load (glibc < 2.38) and the fallback is in use.
const repoRoot = resolve(__dirname, '..', '..');
const stockLoads = spawnSync(process.execPath, ['-e', "require('@btc-vision/uwebsockets.js')"], { cwd: repoRoot }).status === 0;

(process.platform === 'linux' && !stockLoads ? describe : describe.skip)('glibc-compat addon', () => {
  const native = join(repoRoot, 'dist', 'native');
  // LD_BIND_NOW resolves every import at load time, so a missing symbol fails the require itself.
  const run = (withCompat: boolean) =>
    spawnSync(
      process.execPath,
      [
        '-e',
        `const { RTLD_NOW, RTLD_GLOBAL } = require('node:os').constants.dlopen;
         if (${withCompat}) process.dlopen({ exports: {} }, ${JSON.stringify(join(native, 'glibc-compat.node'))}, RTLD_NOW | RTLD_GLOBAL);
         require(${JSON.stringify(join(native, 'uws.js'))}).App();`,
      ],
      { encoding: 'utf8', env: { ...process.env, LD_BIND_NOW: '1' } },
    );

  it('is what supplies the __isoc23_* symbols the patched binary imports', () => {
    const without = run(false);
    expect(without.status).not.toBe(0);
    expect(without.stderr).toMatch(/undefined symbol: __isoc23_\w+, version GLIBC_2\.38/);
    const withCompat = run(true);
    expect(withCompat.stderr).toBe('');
    expect(withCompat.status).toBe(0);
  });
});
