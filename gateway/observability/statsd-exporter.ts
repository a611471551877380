/**
 * Sends the process tree's metrics to StatsD over UDP every `flush_period` ms (PROTOCOL.md §11.4),
 * several lines per datagram. `sample_rate` is ignored, as upstream does.
 */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { logError } from '../../shared/log';
import type { Logger } from '../../shared/log';
import type { MetricsRecorder } from '../../shared/metrics';
import { datagrams, statsdLines } from './statsd-lines';

/** Fits a typical Ethernet MTU with IP/UDP headers, like common StatsD clients. */
const MAX_DATAGRAM_BYTES = 1432;

export interface StatsdSettings {
  host: string;
  prefix: string;
  flush_period: number;
}

export class StatsdExporter {
  private readonly socket: Socket;
  private readonly timer: NodeJS.Timeout;
  private readonly host: string;
  private readonly port: number;
  private errorLogged = false;

  constructor(
    private readonly settings: StatsdSettings,
    private readonly recorder: MetricsRecorder,
    private readonly logger: Logger,
  ) {
    const at = settings.host.lastIndexOf(':');
    this.host = (at > 0 ? settings.host.slice(0, at) : settings.host).replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
    this.port = at > 0 ? Number(settings.host.slice(at + 1)) : 8125;
    this.socket = createSocket(this.host.includes(':') ? 'udp6' : 'udp4');
    this.socket.on('error', (error) => this.failed(error));
    this.socket.unref();
    this.timer = setInterval(() => this.flush(), Math.max(10, settings.flush_period));
    this.timer.unref();
  }

  flush(): void {
    if (!this.recorder.pending) return;
    const delta = this.recorder.drain();
    const lines = statsdLines(this.settings.prefix, delta, (name) => this.recorder.family(name)?.def);
    for (const datagram of datagrams(lines, MAX_DATAGRAM_BYTES)) {
      this.socket.send(datagram, this.port, this.host, (error) => {
        if (error) this.failed(error);
      });
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
    // Let the last datagrams leave before the socket closes.
    setImmediate(() => this.socket.close());
  }

  private failed(error: Error): void {
    if (this.errorLogged) return; // a missing StatsD server must not flood the log
    this.errorLogged = true;
    logError(this.logger, 'statsd_error', error, { host: this.settings.host });
  }
}
