/** StatsD lines as PROTOCOL.md §11.4 writes them, with DEVIATIONS.md D9's clean tags. */
import { CATALOGUE } from '../../shared/metrics';
import type { MetricsDelta } from '../../shared/metrics';
import { datagrams, statsdLines } from './statsd-lines';

const definition = (name: string) => CATALOGUE.find((m) => m.name === name);
const delta = (d: Partial<MetricsDelta>): MetricsDelta => ({ defs: [], add: [], set: [], observe: [], ...d });

describe('statsdLines', () => {
  it('writes counters with clean InfluxDB tags (D9), no tags for label-less metrics, nothing for 0', () => {
    const lines = statsdLines(
      'ft.',
      delta({
        add: [
          ['record_total', ['V'], 3],
          ['reliable_ack', ['V', 'kafka'], 1],
          ['unexpected_record_err_total', [], 2],
          ['dispatch_total', ['V'], 0],
        ],
      }),
      definition,
    );
    expect(lines).toEqual([
      'ft.record_total,record_type=V:3|c',
      'ft.reliable_ack,record_type=V,dispatcher=kafka:1|c',
      'ft.unexpected_record_err_total:2|c',
    ]);
  });

  it('writes gauge adds with a sign and sets plainly, zeroing first for a negative value', () => {
    const lines = statsdLines(
      '',
      delta({
        add: [
          ['signal_count', ['V'], 40],
          ['signal_count', ['alerts'], -2],
        ],
        set: [
          ['num_connections', [], 12],
          ['kafka_produce_queue_size', ['total'], -1],
        ],
      }),
      definition,
    );
    expect(lines).toEqual([
      'signal_count,record_type=V:+40|g',
      'signal_count,record_type=alerts:-2|g',
      'num_connections:12|g',
      'kafka_produce_queue_size,type=total:0|g',
      'kafka_produce_queue_size,type=total:-1|g',
    ]);
  });

  it('sends histograms as _count and _sum counters, and makes tag values parseable', () => {
    const lines = statsdLines(
      '',
      delta({
        observe: [['gateway_sink_delivery_seconds', ['my sink', 'ok'], [1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 2.5]],
        add: [['rate_limit_exceeded_total', ['VIN1', 'a,b=c:d|e'], 1]],
      }),
      definition,
    );
    expect(lines).toEqual([
      'rate_limit_exceeded_total,device_id=VIN1,txtype=a_b_c_d_e:1|c',
      'gateway_sink_delivery_seconds_count,sink=my_sink,result=ok:4|c',
      'gateway_sink_delivery_seconds_sum,sink=my_sink,result=ok:2.5|c',
    ]);
  });
});

describe('datagrams', () => {
  it('packs lines separated by newlines up to the size limit', () => {
    expect(datagrams(['aaaa', 'bbbb', 'cccc'], 9)).toEqual(['aaaa\nbbbb', 'cccc']);
    expect(datagrams(['a-very-long-line'], 4)).toEqual(['a-very-long-line']);
    expect(datagrams([], 100)).toEqual([]);
  });
});
