/**
 * The `vin_allowlist` file: one VIN (a client certificate's device id) per line. `#` starts a
 * comment, on its own line or after a VIN; blank lines are ignored. The gateway reads it at startup
 * (a bad file is a startup error naming the key) and again whenever it changes (gateway/access).
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';

/** Printable ASCII without spaces: what a device id (a certificate CN) holds. */
const ENTRY = /^[!-~]+$/;

/** The VINs of the file's text; throws an Error naming the first bad line. */
export function parseVinAllowlist(text: string): Set<string> {
  const vins = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const hash = lines[i].indexOf('#');
    const entry = (hash < 0 ? lines[i] : lines[i].slice(0, hash)).trim();
    if (entry === '') continue;
    if (!ENTRY.test(entry)) throw new Error(`line ${i + 1}: ${JSON.stringify(entry)} is not one VIN (printable ASCII, no spaces)`);
    vins.add(entry);
  }
  return vins;
}

/** Startup check: the file is readable and parses. */
export function checkVinAllowlist(path: string): void {
  if (path === '') return;
  try {
    parseVinAllowlist(readFileSync(path, 'utf8'));
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new ConfigError('CONFIG_VIN_ALLOWLIST', `config key "vin_allowlist": ${path}: ${reason}`, 'vin_allowlist', e);
  }
}
