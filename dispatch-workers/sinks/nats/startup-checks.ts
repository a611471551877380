/**
 * Checks of the `nats` block that config/ cannot make (it never names a sink): each failure is a
 * ConfigError naming the key, raised when the sink is created, before any connection.
 */
import { ConfigError } from '../../../config';
import type { NatsBlock } from './config-block';
import { conflictingAuth, serverList } from './connection-options';
import { badPrefix } from './subjects';

/** The subject prefix in effect: `subject_prefix`, else the namespace. */
export function subjectPrefix(block: NatsBlock, namespace: string): string {
  return block.subject_prefix !== '' ? block.subject_prefix : namespace;
}

export function checkNatsBlock(block: NatsBlock, namespace: string, reliableTypes: readonly string[]): void {
  const invalid = (key: string, message: string) => new ConfigError('CONFIG_INVALID_VALUE', `config key "${key}": ${message}`, key);
  if (serverList(block.url).length === 0) throw invalid('nats.url', 'at least one server URL is required');
  const prefix = subjectPrefix(block, namespace);
  const why = badPrefix(prefix);
  if (why !== undefined) {
    const key = block.subject_prefix !== '' ? 'nats.subject_prefix' : 'namespace';
    throw invalid(key, `${JSON.stringify(prefix)} cannot start a NATS subject: ${why}`);
  }
  const auth = conflictingAuth(block);
  if (auth !== undefined) throw invalid('nats', auth);
  if (!block.jetstream.enabled) {
    if (reliableTypes.length > 0) {
      const key = `reliable_ack_sources.${reliableTypes[0]}`;
      throw new ConfigError(
        'CONFIG_RELIABLE_ACK',
        `config key "${key}": nats cannot be a reliable ack source without JetStream: core NATS does not confirm delivery. ` +
          'Set nats.jetstream.enabled to true (with nats.jetstream.stream), or name another dispatcher',
        key,
      );
    }
    return;
  }
  if (block.jetstream.stream === '') throw invalid('nats.jetstream.stream', 'required when nats.jetstream.enabled is true');
}
