/**
 * How many sockets listen on a local TCP port, from /proc/net/tcp{,6}. A server whose workers each
 * bind the port (SO_REUSEPORT) is ready when there are as many listeners as workers; this works for
 * any server, needs no log parsing, and lets the bench send the server's stderr straight to
 * /dev/null (the logger sink writes a line per record).
 */
import { readFileSync } from 'node:fs';

const LISTEN = '0A';

export function listenerCount(port: number): number {
  let n = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    n += countIn(text, port);
  }
  return n;
}

/** Listening entries for `port` in the text of /proc/net/tcp (exported for its test). */
export function countIn(procNetTcp: string, port: number): number {
  let n = 0;
  for (const line of procNetTcp.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4 || fields[3] !== LISTEN) continue;
    const local = fields[1];
    if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) n++;
  }
  return n;
}
