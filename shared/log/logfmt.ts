/** Text log lines (PROTOCOL.md §11.6 with `json_log_enable` false): `time=… level=… msg=…` first,
 * then the other fields sorted by key, logfmt-style. */
import { sortedMembers, type Member } from './sorted-json';

const LEADING = ['time', 'level', 'msg'] as const;

/** A value needs quotes when it is empty or holds spaces, quotes, `=`, backslashes or control
 * characters; JSON string escaping then keeps the line unambiguous and on one line. */
export function logfmtValue(text: string): string {
  return text === '' || /[\s"=\\\u0000-\u001f\u007f]/.test(text) ? JSON.stringify(text) : text;
}

/** A member's JSON value text as logfmt: strings unquoted when safe, nested objects/arrays as their
 * (sorted, compact) JSON, numbers/booleans/null as written. */
function memberValue(json: string): string {
  return logfmtValue(json.charCodeAt(0) === 34 ? (JSON.parse(json) as string) : json);
}

/** Converts one pino JSON line; text that does not parse is passed through unchanged. */
export function toLogfmtLine(line: string): string {
  let members: Member[];
  try {
    members = sortedMembers(line);
  } catch {
    return line;
  }
  const parts: string[] = [];
  for (const name of LEADING) {
    const m = members.find((x) => x[0] === name);
    if (m !== undefined) parts.push(`${name}=${memberValue(m[2])}`);
  }
  for (const m of members) {
    if ((LEADING as readonly string[]).includes(m[0])) continue;
    parts.push(`${m[0]}=${memberValue(m[2])}`);
  }
  return parts.join(' ') + '\n';
}
