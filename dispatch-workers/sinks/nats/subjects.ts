/**
 * Subjects of the NATS sink: `<prefix>.<record type>.<VIN>`, or `<record type>.<VIN>` when the
 * prefix is empty (no `subject_prefix`, empty namespace). A publish subject is dot-separated
 * tokens; the server rejects an empty token, whitespace, and the wildcards `*` and `>`. The prefix
 * is checked once at startup; the record type and VIN of each record before it is published.
 */

/** Why `token` cannot be one subject token, or undefined when it can. */
export function badToken(token: string): string | undefined {
  if (token === '') return 'is empty';
  if (token.includes('.')) return 'contains "."';
  if (/[\s]/.test(token)) return 'contains whitespace';
  if (token.includes('*') || token.includes('>')) return 'contains a wildcard (* or >)';
  return undefined;
}

/** Why `prefix` (empty, or dot-separated tokens) is not a valid subject prefix, or undefined. */
export function badPrefix(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  for (const token of prefix.split('.')) {
    const why = badToken(token);
    if (why !== undefined) return `token ${JSON.stringify(token)} ${why}`;
  }
  return undefined;
}

/** Builds subjects, caching the `<prefix>.<record type>.` part per record type. */
export class Subjects {
  private readonly heads = new Map<string, string>();

  constructor(private readonly prefix: string) {}

  /** The subject, or the reason the record's type or VIN cannot be a subject token. */
  of(recordType: string, vin: string): { subject: string } | { error: string } {
    let head = this.heads.get(recordType);
    if (head === undefined) {
      const why = badToken(recordType);
      if (why !== undefined) return { error: `record type ${JSON.stringify(recordType)} ${why}` };
      head = this.prefix === '' ? `${recordType}.` : `${this.prefix}.${recordType}.`;
      this.heads.set(recordType, head);
    }
    const why = badToken(vin);
    if (why !== undefined) return { error: `VIN ${JSON.stringify(vin)} ${why}` };
    return { subject: head + vin };
  }
}
