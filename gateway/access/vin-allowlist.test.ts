import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '../../shared/log';
import type { Metrics } from '../../shared/metrics';
import { VinAllowlist, VIN_REFUSED_CLOSE_CODE } from './vin-allowlist';
import type { AllowlistSession } from './vin-allowlist';

const A = '5YJ3E1EA7KF100001';
const B = '5YJ3E1EA7KF100002';

function setup(vins: string[], sessions: AllowlistSession[] = []) {
  const lines: Record<string, unknown>[] = [];
  let onLine = () => undefined as void;
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      onLine();
      done();
    },
  });
  /** Resolves once `times` log lines have this message. */
  const logged = (msg: string, times: number) =>
    new Promise<void>((resolve) => {
      onLine = () => {
        if (lines.filter((l) => l.msg === msg).length >= times) resolve();
      };
      onLine();
    });
  const counts: Record<string, number> = {};
  const metrics = {
    counter: () => ({ inc: (labels: { reason: string }) => (counts[labels.reason] = (counts[labels.reason] ?? 0) + 1) }),
  } as unknown as Metrics;
  const path = join(mkdtempSync(join(tmpdir(), 'vin-allowlist-')), 'vins.txt');
  writeFileSync(path, vins.join('\n'));
  const logger = createLogger({ json: true, level: 'info', destination });
  const allowlist = new VinAllowlist(path, new Set(vins), logger, metrics, () => sessions);
  return { allowlist, lines, counts, path, logger, metrics, logged };
}

function session(vin: string): AllowlistSession & { ended: [number, string][] } {
  const ended: [number, string][] = [];
  return { identity: { deviceId: vin, socketId: `socket-${vin}` }, ws: { end: (code, reason) => ended.push([code, reason]) }, ended };
}

it('refuses VINs not listed, counts every refusal and logs each VIN once a minute', () => {
  const { allowlist, lines, counts } = setup([A]);
  expect(allowlist.refuses(A, 's1', 0)).toBe(false);
  for (let i = 0; i < 3; i++) expect(allowlist.refuses(B, `s${i}`, 1000 * i)).toBe(true);
  expect(counts.not_listed).toBe(3);
  expect(lines.filter((l) => l.msg === 'vin_refused')).toHaveLength(1);
  allowlist.refuses(B, 's9', 61_000);
  const logged = lines.filter((l) => l.msg === 'vin_refused');
  expect(logged).toHaveLength(2);
  expect(logged[1]).toMatchObject({ device_id: B, txid: 's9', refused_since_last_log: 2 });
});

it('a reload that does not parse keeps the old list and says why', async () => {
  const { allowlist, lines, path } = setup([A]);
  writeFileSync(path, `${B} ${A}\n`);
  await allowlist.reload();
  expect(lines.find((l) => l.msg === 'vin_allowlist_reload_error')?.error).toMatch(/line 1/);
  expect(allowlist.refuses(A, 's', 0)).toBe(false);
  expect(allowlist.refuses(B, 's', 0)).toBe(true);
});

it('a reload that removes a VIN closes its sessions and admits the new ones', async () => {
  const a = session(A);
  const b = session(B);
  const { allowlist, counts, path } = setup([A, B], [a, b]);
  writeFileSync(path, `# only B now\n${B}\n`);
  await allowlist.reload();
  expect(a.ended).toEqual([[VIN_REFUSED_CLOSE_CODE, 'vin not allowed']]);
  expect(b.ended).toEqual([]);
  expect(counts.removed).toBe(1);
  expect(allowlist.refuses(A, 's', 0)).toBe(true);
  expect(allowlist.refuses(B, 's', 0)).toBe(false);
});

it('sees a Kubernetes ConfigMap update (the ..data symlink swapped) without a restart', async () => {
  const { logger, metrics, logged } = setup([]);
  const dir = mkdtempSync(join(tmpdir(), 'vin-configmap-'));
  const version = (name: string, text: string) => {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'vins.txt'), text);
  };
  version('..v1', `${A}\n`);
  symlinkSync('..v1', join(dir, '..data'));
  symlinkSync('..data/vins.txt', join(dir, 'vins.txt'));
  const allowlist = await VinAllowlist.start(join(dir, 'vins.txt'), logger, metrics, () => []);
  try {
    expect(allowlist.refuses(B, 's', 0)).toBe(true);
    const reloaded = logged('vin_allowlist_loaded', 2);
    // What the kubelet does: a new version folder, then an atomic swap of the ..data symlink.
    version('..v2', `${A}\n${B}\n`);
    symlinkSync('..v2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    await reloaded;
    expect(allowlist.refuses(B, 's', 0)).toBe(false);
  } finally {
    allowlist.close();
  }
});
