/** The convict schema of every key of PROTOCOL.md §12.2 except the sink blocks (kafka, kinesis,
 * pubsub, zmq, mqtt, redis, logger), which each sink declares beside its code and passes to
 * loadConfig (ARCHITECTURE.md "config/ never names a sink"), plus our own `gateway` block.
 *
 * Extra leaf properties read by config/: `goType` (the Go type upstream decodes the key as; §12.1
 * type errors) and `envAllowEmpty` (an empty variable still overrides). */
import type convict from 'convict';

export interface TlsProperties {
  server_cert: string;
  server_key: string;
  ca_file: string;
}

export interface RateLimitProperties {
  enabled: boolean;
  message_limit: number;
  message_interval_time: number;
  /** Hidden upstream field (S7): matched by its Go field name, integer nanoseconds. */
  MessageIntervalTimeSecond: number;
}

export interface StatsdProperties {
  host: string;
  prefix: string;
  flush_period: number;
}

export interface MonitoringProperties {
  prometheus_metrics_port: number;
  prometheus_metrics_host: string;
  profiler_port: number;
  profiler_host: string;
  profiling_path: string;
  statsd: StatsdProperties;
}

export interface AirbrakeProperties {
  host: string;
  project_id: number;
  project_key: string;
  environment: string;
  tls: TlsProperties;
}

export interface GatewayProperties {
  workers: number;
  dispatch_threads: number;
  batch_max_frames: number;
  batch_max_bytes: number;
  max_inflight_frames_per_connection: number;
  max_websocket_message_bytes: number;
  drain_timeout_ms: number;
  reload_spread_ms: number;
  watch: boolean;
}

export interface TrustedProxyProperties {
  header: string;
  port: number;
  host: string;
  source_cidrs: string[];
}

export interface ConnectivityProperties {
  per_vin: boolean;
}

/** The keys this schema declares, as convict returns them (defaults filled in). */
export interface BaseConfigProperties {
  host: string;
  port: number;
  status_port: number;
  tls: TlsProperties;
  use_default_eng_ca: boolean;
  namespace: string;
  log_level: string;
  json_log_enable: boolean;
  transmit_decoded_records: boolean;
  records: Record<string, string[]>;
  reliable_ack_sources: Record<string, string>;
  rate_limit: RateLimitProperties;
  vins_signal_tracking_enabled: string[];
  vin_allowlist: string;
  connectivity: ConnectivityProperties;
  trusted_proxy: TrustedProxyProperties;
  monitoring: MonitoringProperties;
  airbrake: AirbrakeProperties;
  gateway: GatewayProperties;
}

/** Env variable prefix of our keys (upstream reads no variables for these). */
export const ENV_PREFIX = 'FLEET_TELEMETRY_';

/** §2.4 / §5.2: a frame above this size gets an ERROR; fixed by the protocol, so not a key. */
export const MAX_FRAME_BYTES = 1_000_000;

function aboveMaxFrame(value: unknown): void {
  if (!Number.isInteger(value) || (value as number) <= MAX_FRAME_BYTES || (value as number) > 2 ** 31 - 1) {
    throw new Error(`must be an integer above ${MAX_FRAME_BYTES} (frames up to it get upstream's ERROR reply) and below 2^31`);
  }
}

function atLeastOne(value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 1) throw new Error('must be an integer of at least 1');
}

function tlsFiles(what: string): convict.Schema<TlsProperties> {
  return {
    server_cert: { doc: `${what}: PEM certificate chain file`, format: String, default: '', goType: 'string' },
    server_key: { doc: `${what}: PEM private key file`, format: String, default: '', goType: 'string' },
    ca_file: { doc: `${what}: PEM file of CA certificates`, format: String, default: '', goType: 'string' },
  };
}

export const baseSchema: convict.Schema<BaseConfigProperties> = {
  host: {
    doc: 'Main (mTLS WebSocket) listener host; "" = all interfaces',
    format: String,
    default: '',
    env: `${ENV_PREFIX}HOST`,
    goType: 'string',
  },
  port: { doc: 'Main listener port', format: 'port', default: 0, env: `${ENV_PREFIX}PORT`, goType: 'int' },
  status_port: {
    doc: 'Plain HTTP /status listener on all interfaces when > 0',
    format: 'port',
    default: 0,
    env: `${ENV_PREFIX}STATUS_PORT`,
    goType: 'int',
  },
  tls: {
    server_cert: { doc: 'Server certificate chain (PEM); required', format: String, default: '', goType: 'string' },
    server_key: { doc: 'Server private key (PEM); required', format: String, default: '', goType: 'string' },
    ca_file: {
      doc: "Client CAs (PEM). Required here: this gateway bundles no Tesla CA (gateway/DEVIATIONS.md D1); point it at Tesla's published bundle plus your own CAs",
      format: String,
      default: '',
      goType: 'string',
    },
  },
  use_default_eng_ca: {
    doc: 'Upstream: trust the built-in eng bundle. No bundle ships here, so true is a startup error (D1)',
    format: Boolean,
    default: false,
    goType: 'bool',
  },
  namespace: {
    doc: 'Topic/stream/channel prefix: <namespace>_<record type>',
    format: String,
    default: '',
    env: `${ENV_PREFIX}NAMESPACE`,
    goType: 'string',
  },
  log_level: {
    doc: 'panic|fatal|error|warn|warning|info|debug|trace (any case); invalid or empty ⇒ info plus an invalid_level log (§11.6)',
    format: String,
    default: '',
    env: `${ENV_PREFIX}LOG_LEVEL`,
    goType: 'string',
  },
  json_log_enable: {
    doc: 'JSON log lines instead of logfmt text',
    format: Boolean,
    default: false,
    env: `${ENV_PREFIX}JSON_LOG_ENABLE`,
    goType: 'bool',
  },
  transmit_decoded_records: {
    doc: 'Dispatch records as JSON instead of protobuf (§6.5)',
    format: Boolean,
    default: false,
    env: `${ENV_PREFIX}TRANSMIT_DECODED_RECORDS`,
    goType: 'bool',
  },
  records: { doc: 'Record type → list of dispatcher names, in dispatch order', format: Object, default: {}, goType: 'map[string][]string' },
  reliable_ack_sources: {
    doc: 'Record type → the one dispatcher whose delivery confirmation releases the ACK (§9)',
    format: Object,
    default: {},
    goType: 'map[string]string',
  },
  rate_limit: {
    enabled: {
      doc: 'Enforce the per-connection limit (otherwise observe only: 100 per 60 s, §8)',
      format: Boolean,
      default: false,
      goType: 'bool',
    },
    message_limit: {
      doc: 'Messages allowed per interval per connection; must be > 0 when enabled (D3)',
      format: 'int',
      default: 0,
      goType: 'int',
    },
    message_interval_time: {
      doc: 'Interval in seconds; honoured here (D3; upstream ignores it, S7); must be > 0 when enabled',
      format: 'int',
      default: 0,
      goType: 'int',
    },
    MessageIntervalTimeSecond: {
      doc: 'Hidden upstream field (S7): interval in nanoseconds; wins over message_interval_time when non-zero',
      format: 'int',
      default: 0,
      goType: 'int64',
    },
  },
  vins_signal_tracking_enabled: {
    doc: 'VINs whose signal counts get a per-VIN gauge; at most 20 unique',
    format: Array,
    default: [],
    goType: '[]string',
  },
  vin_allowlist: {
    doc: 'File of the VINs allowed to connect (one per line, # comments), re-read when it changes; "" = every VIN is allowed',
    format: String,
    default: '',
    goType: 'string',
  },
  connectivity: {
    per_vin: {
      doc: 'Connectivity records per VIN (CONNECTED on its first open socket, DISCONNECTED when its last closes, over all workers) instead of per socket',
      format: Boolean,
      default: false,
      goType: 'bool',
    },
  },
  trusted_proxy: {
    header: {
      doc: 'Client-Cert (RFC 9440) or X-Amzn-Mtls-Clientcert (AWS ALB passthrough): the header carrying the client certificate a TLS-terminating proxy forwards; "" = off',
      format: String,
      default: '',
      goType: 'string',
    },
    port: { doc: 'Plain (no TLS) listener for the proxy when > 0', format: 'port', default: 0, goType: 'int' },
    host: { doc: 'Host of the proxy listener', format: String, default: '127.0.0.1', goType: 'string' },
    source_cidrs: {
      doc: 'Addresses (CIDR blocks) allowed to forward a certificate: on the main listener, and on the proxy listener when not empty',
      format: Array,
      default: [],
      goType: '[]string',
    },
  },
  monitoring: {
    prometheus_metrics_port: {
      doc: 'Prometheus /metrics listener port when > 0 (wins over statsd)',
      format: 'port',
      default: 0,
      goType: 'int',
    },
    prometheus_metrics_host: { doc: 'Prometheus listener host', format: String, default: '127.0.0.1', goType: 'string' },
    profiler_port: { doc: 'Profiler listener port when > 0', format: 'port', default: 0, goType: 'int' },
    profiler_host: { doc: 'Profiler listener host', format: String, default: '127.0.0.1', goType: 'string' },
    profiling_path: {
      doc: 'File created at startup for /live_profiler output; "" disables it',
      format: String,
      default: '',
      goType: 'string',
    },
    statsd: {
      host: { doc: 'StatsD host:port (UDP)', format: String, default: '', goType: 'string' },
      prefix: { doc: 'Prepended verbatim to metric names (add your own trailing dot)', format: String, default: '', goType: 'string' },
      flush_period: { doc: 'Flush period in ms', format: 'int', default: 100, goType: 'int' },
    },
  },
  airbrake: {
    host: {
      doc: 'Airbrake/Errbit base URL (https://api.airbrake.io when empty; a bare host means https)',
      format: String,
      default: '',
      goType: 'string',
    },
    project_id: { doc: 'Project id: notices go to <host>/api/v3/projects/<id>/notices', format: 'int', default: 0, goType: 'int64' },
    project_key: {
      doc: 'Project key (sent as a bearer token); env AIRBRAKE_PROJECT_KEY overrides it whenever set',
      format: String,
      default: '',
      env: 'AIRBRAKE_PROJECT_KEY',
      envAllowEmpty: true,
      sensitive: true,
      goType: 'string',
    },
    environment: { doc: 'Environment name sent with every notice', format: String, default: '', goType: 'string' },
    tls: tlsFiles('Airbrake client TLS (ca_file: CAs to trust; server_cert/server_key: client certificate)'),
  },
  gateway: {
    workers: {
      doc: 'Cluster worker processes; 0 = os.availableParallelism()',
      format: 'nat',
      default: 0,
      env: `${ENV_PREFIX}WORKERS`,
      goType: 'int',
    },
    dispatch_threads: {
      doc: 'Dispatch lanes (threads) per worker process',
      format: atLeastOne,
      default: 1,
      env: `${ENV_PREFIX}DISPATCH_THREADS`,
      goType: 'int',
    },
    batch_max_frames: {
      doc: 'Frames per batch handed to a dispatch lane',
      format: atLeastOne,
      default: 256,
      env: `${ENV_PREFIX}BATCH_MAX_FRAMES`,
      goType: 'int',
    },
    batch_max_bytes: {
      doc: 'Bytes per batch handed to a dispatch lane (a single larger frame still goes alone)',
      format: atLeastOne,
      default: 1_048_576,
      env: `${ENV_PREFIX}BATCH_MAX_BYTES`,
      goType: 'int',
    },
    max_inflight_frames_per_connection: {
      doc: 'Frames of one connection awaiting their reply; further frames are shed (not dispatched, not answered: the vehicle resends) until replies drain',
      format: atLeastOne,
      default: 256,
      env: `${ENV_PREFIX}MAX_INFLIGHT_FRAMES_PER_CONNECTION`,
      goType: 'int',
    },
    max_websocket_message_bytes: {
      doc:
        'Largest WebSocket message a connection may send, and so the most memory one connection holds for an incoming ' +
        'message: a frame above 1,000,000 bytes but within this gets ERROR (as upstream); a larger one closes the connection',
      format: aboveMaxFrame,
      default: 64 * 1024 * 1024,
      env: `${ENV_PREFIX}MAX_WEBSOCKET_MESSAGE_BYTES`,
      goType: 'int',
    },
    drain_timeout_ms: {
      doc: 'On SIGTERM/reload, how long sessions may drain before sockets are closed',
      format: 'nat',
      default: 10_000,
      env: `${ENV_PREFIX}DRAIN_TIMEOUT_MS`,
      goType: 'int',
    },
    reload_spread_ms: {
      doc: 'On reload (SIGHUP), the old workers close their sessions spread evenly over this window, so vehicles reconnect gradually',
      format: 'nat',
      default: 30_000,
      env: `${ENV_PREFIX}RELOAD_SPREAD_MS`,
      goType: 'int',
    },
    watch: {
      doc: 'Reload (as on SIGHUP) when the config file or a tls.* file changes; polled every second',
      format: Boolean,
      default: false,
      env: `${ENV_PREFIX}WATCH`,
      goType: 'bool',
    },
  },
};
