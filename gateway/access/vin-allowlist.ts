/**
 * The VIN allowlist of one worker (`vin_allowlist`): which device ids may open a session. Each
 * worker watches the file itself (fs.watch on its folder, so an atomic rename or a ConfigMap update
 * is seen, plus a stat poll where fs.watch misses changes: network and overlay file systems), so no
 * IPC is involved. A
 * change that does not parse keeps the previous list; a VIN that leaves the list has its sessions
 * closed.
 */
import { readFile } from 'node:fs/promises';
import { watch, watchFile, unwatchFile } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parseVinAllowlist } from '../../config/vin-allowlist';
import { activity, logError } from '../../shared/log';
import type { Logger } from '../../shared/log';
import type { Counter, Metrics } from '../../shared/metrics';

/** RFC 6455 1008 (policy violation): the vehicle learns why, and does not mistake it for a crash. */
export const VIN_REFUSED_CLOSE_CODE = 1008;
export const VIN_REFUSED_CLOSE_REASON = 'vin not allowed';

const POLL_INTERVAL_MS = 5_000;
/** Editors and `cp` write a file in several steps: read it once they are done. */
const SETTLE_MS = 100;
const LOG_EVERY_MS = 60_000;

/** What the allowlist needs of a session: its device id, and its socket to end it. */
export interface AllowlistSession {
  readonly identity: { readonly deviceId: string; readonly socketId: string };
  readonly ws: { end(code: number, reason: string): void };
}

export class VinAllowlist {
  private vins: ReadonlySet<string>;
  private text: string | undefined;
  private watcher: FSWatcher | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private readonly refused: Counter<'reason'>;
  /** VIN → when its refusal was last logged, and refusals since. */
  private readonly lastLogged = new Map<string, { at: number; since: number }>();

  /** `vins`: the list read at startup (config/ checked that the file parses). */
  constructor(
    private readonly path: string,
    vins: ReadonlySet<string>,
    private readonly logger: Logger,
    metrics: Metrics,
    private readonly sessions: () => Iterable<AllowlistSession>,
  ) {
    this.vins = vins;
    this.refused = metrics.counter('gateway_vin_refused_total', ['reason']);
  }

  static async start(path: string, logger: Logger, metrics: Metrics, sessions: () => Iterable<AllowlistSession>): Promise<VinAllowlist> {
    const text = await readFile(path, 'utf8');
    const allowlist = new VinAllowlist(path, parseVinAllowlist(text), logger, metrics, sessions);
    allowlist.text = text;
    allowlist.watch();
    activity(logger, 'vin_allowlist_loaded', { path, vins: allowlist.vins.size });
    return allowlist;
  }

  /** Counts and (once per VIN per minute) logs a refusal; true when `vin` may not connect. */
  refuses(vin: string, socketId: string, now = Date.now()): boolean {
    if (this.vins.has(vin)) return false;
    this.refused.inc({ reason: 'not_listed' });
    const logged = this.lastLogged.get(vin);
    if (logged !== undefined && now - logged.at < LOG_EVERY_MS) {
      logged.since++;
      return true;
    }
    if (this.lastLogged.size >= 10_000) this.forgetOldLogs(now);
    this.lastLogged.set(vin, { at: now, since: 0 });
    logError(this.logger, 'vin_refused', 'vin is not on the allowlist', {
      device_id: vin,
      txid: socketId,
      refused_since_last_log: logged?.since ?? 0,
    });
    return true;
  }

  /** Re-reads the file; keeps the current list when it cannot be read or parsed. */
  async reload(): Promise<void> {
    let text: string;
    let vins: Set<string>;
    try {
      text = await readFile(this.path, 'utf8');
      if (text === this.text) return;
      vins = parseVinAllowlist(text);
    } catch (e) {
      logError(this.logger, 'vin_allowlist_reload_error', e instanceof Error ? e.message : String(e), {
        path: this.path,
        kept_vins: this.vins.size,
      });
      return;
    }
    const removed = [...this.vins].filter((vin) => !vins.has(vin));
    this.text = text;
    this.vins = vins;
    activity(this.logger, 'vin_allowlist_loaded', { path: this.path, vins: vins.size, removed: removed.length });
    if (removed.length === 0) return;
    for (const session of [...this.sessions()]) {
      if (vins.has(session.identity.deviceId)) continue;
      this.refused.inc({ reason: 'removed' });
      activity(this.logger, 'vin_removed_session_closed', { device_id: session.identity.deviceId, txid: session.identity.socketId });
      session.ws.end(VIN_REFUSED_CLOSE_CODE, VIN_REFUSED_CLOSE_REASON);
    }
  }

  close(): void {
    this.watcher?.close();
    unwatchFile(this.path);
    clearTimeout(this.settleTimer);
  }

  private watch(): void {
    const changed = () => {
      clearTimeout(this.settleTimer);
      this.settleTimer = setTimeout(() => void this.reload(), SETTLE_MS);
    };
    const name = basename(this.path);
    try {
      this.watcher = watch(dirname(this.path), { persistent: false }, (_event, file) => {
        // Kubernetes swaps a ConfigMap volume's `..data` symlink, not the file's own name.
        if (file === null || file === name || file.startsWith('..')) changed();
      });
      this.watcher.on('error', (e) => logError(this.logger, 'vin_allowlist_watch_error', e.message, { path: this.path }));
    } catch (e) {
      // The poll below still sees changes, only later.
      logError(this.logger, 'vin_allowlist_watch_error', e instanceof Error ? e.message : String(e), { path: this.path });
    }
    watchFile(this.path, { persistent: false, interval: POLL_INTERVAL_MS }, changed);
  }

  private forgetOldLogs(now: number): void {
    for (const [vin, logged] of this.lastLogged) if (now - logged.at >= LOG_EVERY_MS) this.lastLogged.delete(vin);
  }
}
