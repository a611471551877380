/** Domain words shared by both tiers (ARCHITECTURE.md "Names"). */

/** The record types the gateway decodes and transforms (PROTOCOL.md §6.1). Any other topic is forwarded untouched. */
export const KNOWN_RECORD_TYPES = ['V', 'alerts', 'errors', 'connectivity'] as const;
export type KnownRecordType = (typeof KNOWN_RECORD_TYPES)[number];

export function isKnownRecordType(t: string): t is KnownRecordType {
  return (KNOWN_RECORD_TYPES as readonly string[]).includes(t);
}

/** The 7-key metadata map (PROTOCOL.md §5.3): Kafka headers, Pub/Sub attributes, logger `metadata`. */
export interface RecordMetadata {
  vin: string;
  receivedat: string;
  timestamp: '0';
  txid: string;
  txtype: string;
  version: '0';
  device_client_version: string;
}

/**
 * A metadata value that is a lossy UTF-8 decode of the bytes the vehicle sent (the txid of the
 * envelope, or the `Version` header), not those bytes. Sinks that must forward them exactly refuse
 * such a record (the Kafka sink, gateway/DEVIATIONS.md D12).
 */
export type AlteredMetadata = 'txid' | 'device_client_version';

export function recordMetadata(vin: string, receivedAtMs: number, txid: string, txtype: string, clientVersion: string): RecordMetadata {
  return {
    vin,
    receivedat: String(receivedAtMs),
    timestamp: '0',
    txid,
    txtype,
    version: '0',
    device_client_version: clientVersion,
  };
}

/** The metadata as JSON text with its keys sorted (the logger's `metadata`, §11.6), written directly. */
export function metadataJson(m: RecordMetadata): string {
  const q = JSON.stringify;
  return (
    `{"device_client_version":${q(m.device_client_version)},"receivedat":${q(m.receivedat)},"timestamp":${q(m.timestamp)},` +
    `"txid":${q(m.txid)},"txtype":${q(m.txtype)},"version":${q(m.version)},"vin":${q(m.vin)}}`
  );
}

/** `BuildTopicName` (PROTOCOL.md §10): namespace + "_" + record type, also with an empty namespace. */
export function topicName(namespace: string, recordType: string): string {
  return `${namespace}_${recordType}`;
}
