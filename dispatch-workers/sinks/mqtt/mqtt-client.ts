/**
 * The mqtt.js client behind the sink (MQTT 3.1.1, clean session, auto-reconnect, as upstream's paho
 * client). Loaded only where the sink is used.
 */
import { threadId } from 'node:worker_threads';
import mqtt from 'mqtt';
import { activity } from '../../../shared/log';
import type { Logger } from '../../../shared/log';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { MqttBlock } from './config-block';
import { brokerUrl } from './config-block';
import type { MqttConnection } from './mqtt-sink';

/** §10.5: the first connection must succeed within 5 s, whatever `connect_timeout_ms` says. */
export const STARTUP_CONNECT_TIMEOUT_MS = 5_000;

/**
 * The client id of this connection. The gateway opens one connection per dispatch lane of every
 * worker; a broker disconnects a client when another connects with the same id, so with more than
 * one connection a configured id gets `-<pid>-<thread>` appended (an empty id stays empty: the
 * broker assigns one per connection).
 */
export function clientIdFor(configured: string, connections: number, pid = process.pid, thread = threadId): string {
  return configured === '' || connections <= 1 ? configured : `${configured}-${pid}-${thread}`;
}

export function clientOptions(block: MqttBlock, clientId: string): IClientOptions {
  return {
    clientId,
    username: block.username === '' ? undefined : block.username,
    password: block.password === '' ? undefined : block.password,
    protocolVersion: 4,
    clean: true,
    keepalive: block.keep_alive_seconds,
    connectTimeout: block.connect_timeout_ms,
    reconnectPeriod: block.connect_retry_interval_ms,
    // A publish issued while disconnected is refused by the sink, never queued here.
    queueQoSZero: false,
  };
}

/** CONNACK return codes (MQTT 3.1.1 §3.2.2.3) that point at the credentials. */
const BAD_CREDENTIALS = 4;
const NOT_AUTHORIZED = 5;

/** A refused CONNACK names the config keys the operator has to fix. */
function credentialsHint(error: Error): string {
  const code = (error as Error & { code?: unknown }).code;
  return code === BAD_CREDENTIALS || code === NOT_AUTHORIZED ? '; check config keys "mqtt.username" and "mqtt.password"' : '';
}

/**
 * Connects, or rejects with upstream's text after STARTUP_CONNECT_TIMEOUT_MS. As upstream's client
 * (connect-retry on), a refused connection or CONNACK is retried until then; the last error is added.
 */
export async function connectMqtt(block: MqttBlock, clientId: string, logger: Logger): Promise<MqttConnection> {
  const client = mqtt.connect(brokerUrl(block.broker), clientOptions(block, clientId));
  let lastError: Error | undefined;
  const remember = (error: Error) => (lastError = error);
  client.on('error', remember);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const cause = lastError === undefined ? '' : ` (last error: ${lastError.message}${credentialsHint(lastError)})`;
        reject(new Error(`connection attempt timed out after ${STARTUP_CONNECT_TIMEOUT_MS / 1000}s${cause}`));
      }, STARTUP_CONNECT_TIMEOUT_MS);
      client.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  } catch (error) {
    await client.endAsync(true).catch(() => undefined);
    throw error;
  } finally {
    client.off('error', remember);
  }
  // Later errors are seen through failed publishes and `connected`; mqtt.js keeps reconnecting.
  client.on('error', () => undefined);
  client.on('offline', () => activity(logger, 'mqtt_connection_lost', { broker: block.broker, client_id: clientId }));
  client.on('connect', () => activity(logger, 'mqtt_reconnected', { broker: block.broker, client_id: clientId }));
  return wrap(client, block);
}

function wrap(client: MqttClient, block: MqttBlock): MqttConnection {
  const options = { qos: block.qos as 0 | 1 | 2, retain: block.retained };
  return {
    get connected() {
      return client.connected;
    },
    publish(topic, json, done) {
      const callback = (error?: Error) => done(error ?? undefined);
      client.publish(topic, json, options, callback);
      // mqtt.js keeps an unacknowledged publish under the id it just allocated (also after a
      // reconnect, under a wrapped callback). A publish queued behind a store replay has no id yet
      // and cannot be abandoned.
      const id = client.getLastMessageId();
      const known = client.outgoing[id]?.cb === callback;
      return () => {
        if (known) client.removeOutgoingMessage(id);
      };
    },
    async close(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), timeoutMs)));
      const ended = await Promise.race([client.endAsync(false).then(() => 'ended' as const), expired]);
      clearTimeout(timer);
      if (ended === 'expired') await client.endAsync(true);
    },
  };
}
