/**
 * The upgrade-failure answers of the main listener, checked in upstream's order (PROTOCOL.md §2.3).
 * Pure: takes a header reader so it works on a uWS HttpRequest and in unit tests alike.
 */
export interface HeaderSource {
  getHeader(lowerCaseName: string): string;
  getCaseSensitiveMethod(): string;
}

export interface UpgradeFailure {
  status: string;
  body: string;
}

const BAD_REQUEST: UpgradeFailure = { status: '400 Bad Request', body: 'Bad Request\n' };
const NOT_ALLOWED: UpgradeFailure = { status: '405 Method Not Allowed', body: 'Method Not Allowed\n' };

function hasToken(header: string, token: string): boolean {
  return header.split(',').some((t) => t.trim().toLowerCase() === token);
}

export function upgradeFailure(req: HeaderSource): UpgradeFailure | undefined {
  if (!hasToken(req.getHeader('connection'), 'upgrade')) return BAD_REQUEST;
  if (!hasToken(req.getHeader('upgrade'), 'websocket')) return BAD_REQUEST;
  if (req.getCaseSensitiveMethod() !== 'GET') return NOT_ALLOWED;
  if (!hasToken(req.getHeader('sec-websocket-version'), '13')) return BAD_REQUEST;
  const key = req.getHeader('sec-websocket-key');
  if (!/^[A-Za-z0-9+/]{22}==$/.test(key)) return BAD_REQUEST;
  return undefined;
}
