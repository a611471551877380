/** The vehicle configuration an operator shares with vehicles (hostname, CA, fields with intervals,
 * alert types, optional port): building one, and checking one key by key. */
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { AudienceEnum, FieldEnum } from '../../shared/protobuf';
import { certificatesInBundle } from '../tls-files';
import type { Finding } from './command-line';

export interface FieldSettings {
  interval_seconds: number;
  minimum_delta?: number;
  resend_interval_seconds?: number;
}

export interface VehicleConfig {
  hostname: string;
  port?: number;
  ca: string;
  fields: Record<string, FieldSettings>;
  alert_types?: string[];
  exp?: number;
}

const TOP_KEYS = new Set(['hostname', 'port', 'ca', 'fields', 'alert_types', 'exp']);
const FIELD_KEYS = new Set(['interval_seconds', 'minimum_delta', 'resend_interval_seconds']);

/** Field names vehicles stream: the protobuf `Field` enum without its zero value. */
export const FIELD_NAMES: readonly string[] = [...FieldEnum.numberOf.keys()].filter((name) => FieldEnum.numberOf.get(name) !== 0);

/** Alert audiences as vehicle configurations spell them (`ServiceFix` → `service_fix`). */
export const ALERT_TYPES: readonly string[] = [...AudienceEnum.numberOf.keys()]
  .filter((name) => AudienceEnum.numberOf.get(name) !== 0)
  .map((name) => name.replace(/(?<=[a-z])(?=[A-Z])/g, '_').toLowerCase());

const DNS_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function checkVehicleConfig(value: unknown, now: Date = new Date()): Finding[] {
  const findings: Finding[] = [];
  const error = (key: string, message: string): void => void findings.push({ level: 'error', key, message });
  const warning = (key: string, message: string): void => void findings.push({ level: 'warning', key, message });
  if (!isObject(value)) {
    error('(top level)', 'must be a JSON object');
    return findings;
  }
  for (const key of Object.keys(value))
    if (!TOP_KEYS.has(key)) warning(key, `unknown key, vehicles ignore it (known: ${[...TOP_KEYS].join(', ')})`);

  const hostError = hostnameError(value.hostname);
  if (hostError !== undefined) error('hostname', hostError);

  if (value.port !== undefined && !(Number.isInteger(value.port) && (value.port as number) >= 1 && (value.port as number) <= 65535))
    error('port', `must be an integer from 1 to 65535, got ${JSON.stringify(value.port)}`);

  if (typeof value.ca !== 'string') error('ca', 'required: the PEM text of the CA certificate(s) that sign the server certificate');
  else for (const message of caErrors(value.ca, now)) error('ca', message);

  if (!isObject(value.fields) || Object.keys(value.fields).length === 0) {
    error('fields', 'required: an object of field name → {"interval_seconds": N}, with at least one field');
  } else {
    for (const [name, settings] of Object.entries(value.fields)) checkField(name, settings, error, warning);
  }

  if (value.alert_types !== undefined) {
    if (!Array.isArray(value.alert_types)) error('alert_types', `must be a list of ${ALERT_TYPES.join(', ')}`);
    else
      value.alert_types.forEach((t: unknown, i) => {
        if (typeof t !== 'string' || !ALERT_TYPES.includes(t))
          error(`alert_types[${i}]`, `unknown alert type ${JSON.stringify(t)} (known: ${ALERT_TYPES.join(', ')})`);
      });
  }

  if (value.exp !== undefined) {
    if (!Number.isInteger(value.exp) || (value.exp as number) <= 0) error('exp', 'must be a Unix time in seconds');
    else if ((value.exp as number) * 1000 < now.getTime())
      error('exp', `expired at ${new Date((value.exp as number) * 1000).toISOString()}`);
  }
  return findings;
}

function checkField(
  name: string,
  settings: unknown,
  error: (key: string, message: string) => void,
  warning: (key: string, message: string) => void,
): void {
  const key = `fields.${name}`;
  if (!FIELD_NAMES.includes(name)) {
    const close = closestNames(name, FIELD_NAMES);
    error(key, `no such field in vehicle_data.proto${close.length > 0 ? ` (did you mean ${close.join(', ')}?)` : ''}`);
  }
  if (!isObject(settings)) {
    error(key, 'must be an object such as {"interval_seconds": 60}');
    return;
  }
  for (const k of Object.keys(settings))
    if (!FIELD_KEYS.has(k)) warning(`${key}.${k}`, `unknown key (known: ${[...FIELD_KEYS].join(', ')})`);
  if (!isPositiveInteger(settings.interval_seconds))
    error(`${key}.interval_seconds`, `required: a positive integer number of seconds, got ${JSON.stringify(settings.interval_seconds)}`);
  if (settings.resend_interval_seconds !== undefined && !isPositiveInteger(settings.resend_interval_seconds))
    error(`${key}.resend_interval_seconds`, `must be a positive integer, got ${JSON.stringify(settings.resend_interval_seconds)}`);
  const delta = settings.minimum_delta;
  if (delta !== undefined && !(typeof delta === 'number' && Number.isFinite(delta) && delta >= 0))
    error(`${key}.minimum_delta`, `must be a number of at least 0, got ${JSON.stringify(delta)}`);
}

function hostnameError(hostname: unknown): string | undefined {
  if (typeof hostname !== 'string' || hostname === '') return 'required: the server name vehicles connect to, e.g. telemetry.example.com';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(hostname) || hostname.includes('/'))
    return `must be a host name, not a URL: ${JSON.stringify(hostname)} (write the name alone, e.g. telemetry.example.com)`;
  if (hostname.includes(':') && isIP(hostname) === 0)
    return `must be a host name without a port: ${JSON.stringify(hostname)} (use the "port" key)`;
  if (isIP(hostname) !== 0) return undefined;
  if (!DNS_NAME.test(hostname)) return `not a valid host name: ${JSON.stringify(hostname)}`;
  return undefined;
}

function caErrors(pem: string, now: Date): string[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;
  const certificates = certificatesInBundle(pem);
  if (blocks === 0) return ['no PEM certificate found (expected -----BEGIN CERTIFICATE----- …)'];
  const errors: string[] = [];
  if (certificates.length < blocks) errors.push(`${blocks - certificates.length} of ${blocks} certificate blocks do not parse`);
  for (const cert of certificates) {
    if (!cert.ca) errors.push(`${subjectLine(cert)} is not a CA certificate (basicConstraints CA:TRUE missing)`);
    if (new Date(cert.validTo).getTime() < now.getTime())
      errors.push(`${subjectLine(cert)} expired on ${new Date(cert.validTo).toISOString()}`);
  }
  return errors;
}

function subjectLine(cert: X509Certificate): string {
  return `certificate "${cert.subject.replaceAll('\n', ', ')}"`;
}

export interface BuildInput {
  hostname: string;
  port?: number;
  caPem: string;
  /** name → interval in seconds */
  fields: ReadonlyArray<readonly [string, number]>;
  alertTypes: readonly string[];
}

/** A vehicle configuration from the builder's inputs; check it with checkVehicleConfig. */
export function buildVehicleConfig(input: BuildInput): VehicleConfig {
  const config: VehicleConfig = {
    hostname: input.hostname,
    ...(input.port !== undefined ? { port: input.port } : {}),
    ca: input.caPem,
    fields: Object.fromEntries(input.fields.map(([name, interval]) => [name, { interval_seconds: interval }])),
  };
  if (input.alertTypes.length > 0) config.alert_types = [...input.alertTypes];
  return config;
}

/** Up to `max` candidates closest to `name` (case-insensitive edit distance), best first. */
export function closestNames(name: string, candidates: readonly string[], max = 3): string[] {
  const lower = name.toLowerCase();
  const limit = Math.max(2, Math.floor(lower.length / 3));
  return candidates
    .map((c) => ({ c, d: editDistance(lower, c.toLowerCase()) }))
    .filter(({ d }) => d <= limit)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, max)
    .map(({ c }) => c);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPositiveInteger(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) > 0;
}
