/** The `time` field (PROTOCOL.md §11.6): RFC 3339 with the fraction's trailing zeros trimmed, as Go's
 * RFC3339Nano prints it. We write UTC (`Z`) with millisecond precision; upstream writes the process
 * zone, which is UTC in the usual container. */
export function rfc3339(date: Date): string {
  const iso = date.toISOString(); // always YYYY-MM-DDTHH:MM:SS.mmmZ
  const fraction = iso.slice(19, 23).replace(/0+$/, ''); // ".120" → ".12", ".000" → "."
  return iso.slice(0, 19) + (fraction === '.' ? '' : fraction) + 'Z';
}

/** pino's `timestamp` option: the text pino appends after the level. */
export function timestampField(): string {
  return `,"time":"${rfc3339(new Date())}"`;
}
