/**
 * `gateway.watch`: the config file and the TLS files are polled (stat), which also sees a file
 * replaced by rename or a Kubernetes Secret's symlink swap, where an inotify watch on the old
 * inode would not. Changes are settled for a moment before they are reported, so a certificate and
 * its key written one after the other give one reload.
 */
import { unwatchFile, watchFile } from 'node:fs';
import type { Stats } from 'node:fs';

const POLL_INTERVAL_MS = 1_000;
const SETTLE_MS = 1_500;

export function watchFiles(paths: readonly (string | undefined)[], changed: (path: string) => void): { close(): void } {
  const watched = [...new Set(paths.filter((p): p is string => p !== undefined && p !== ''))];
  let timer: NodeJS.Timeout | undefined;
  let first: string | undefined;
  const listener = (path: string) => (current: Stats, previous: Stats) => {
    if (current.mtimeMs === previous.mtimeMs && current.ino === previous.ino && current.size === previous.size) return;
    first ??= path;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const what = first as string;
      first = undefined;
      changed(what);
    }, SETTLE_MS);
  };
  const listeners = watched.map((path) => {
    const l = listener(path);
    watchFile(path, { interval: POLL_INTERVAL_MS, persistent: false }, l);
    return [path, l] as const;
  });
  return {
    close() {
      clearTimeout(timer);
      for (const [path, l] of listeners) unwatchFile(path, l);
    },
  };
}
