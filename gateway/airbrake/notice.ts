/** The body of an Airbrake v3 notice (`POST /api/v3/projects/<id>/notices`, also served by Errbit)
 * for one error report: the log message as the error type, its error text as the message, the log
 * line's fields as params (upstream's ReportError: `log_type: "error"`, `error`, plus the log info,
 * PROTOCOL.md §10), and which gateway version and process sent it. */

export interface NoticeSource {
  environment: string;
  hostname: string;
  /** The gateway's version (package.json). */
  version: string;
  /** `primary` or `worker <n>`. */
  component: string;
  pid: number;
}

/** Fields of an upgrade failure that Airbrake shows as the request. */
export interface RequestFields {
  method?: unknown;
  path?: unknown;
  remote_address?: unknown;
}

export interface Notice {
  errors: Array<{ type: string; message: string; backtrace: unknown[] }>;
  context: Record<string, unknown>;
  params: Record<string, unknown>;
  environment: Record<string, unknown>;
  session: Record<string, unknown>;
}

export const NOTIFIER = { name: 'fleet-telemetry-gateway', url: 'https://github.com/teslamotors/fleet-telemetry' } as const;

export function buildNotice(
  kind: string,
  error: string | null,
  fields: Readonly<Record<string, unknown>> | undefined,
  source: NoticeSource,
): Notice {
  const context: Record<string, unknown> = {
    notifier: { ...NOTIFIER, version: source.version },
    environment: source.environment,
    hostname: source.hostname,
    version: source.version,
    component: source.component,
    severity: 'error',
  };
  const request = (fields ?? {}) as RequestFields;
  if (typeof request.method === 'string') context.httpMethod = request.method;
  if (typeof request.path === 'string') context.url = request.path;
  if (typeof request.remote_address === 'string') context.userAddr = request.remote_address;
  return {
    errors: [{ type: kind, message: error ?? kind, backtrace: [] }],
    context,
    params: { ...fields, log_type: 'error', error, pid: source.pid },
    environment: {},
    session: {},
  };
}
