import { recordTypesUsing, resolveStreamNames, streamEnvVariable } from './stream-names';

describe('Kinesis stream names (PROTOCOL.md §10.2)', () => {
  const types = ['V', 'alerts', 'errors', 'connectivity'];

  it('defaults to <namespace>_<record type>, also with an empty namespace', () => {
    expect(Object.fromEntries(resolveStreamNames(types, {}, 'tesla_telemetry', {}))).toEqual({
      V: 'tesla_telemetry_V',
      alerts: 'tesla_telemetry_alerts',
      errors: 'tesla_telemetry_errors',
      connectivity: 'tesla_telemetry_connectivity',
    });
    expect(resolveStreamNames(['V'], {}, '', {}).get('V')).toBe('_V');
  });

  it('takes kinesis.streams[type] when set, and an empty mapping falls back to the default', () => {
    const streams = resolveStreamNames(types, { V: 'custom_v', alerts: '' }, 'ns', {});
    expect(streams.get('V')).toBe('custom_v');
    expect(streams.get('alerts')).toBe('ns_alerts');
    expect(streams.get('errors')).toBe('ns_errors');
  });

  it('lets a non-empty KINESIS_STREAM_<TYPE> win over config and default; an empty one counts as unset', () => {
    const env = { KINESIS_STREAM_V: 'env_v', KINESIS_STREAM_CONNECTIVITY: 'env_conn', KINESIS_STREAM_ALERTS: '' };
    const streams = resolveStreamNames(types, { V: 'custom_v', alerts: 'custom_alerts' }, 'ns', env);
    expect(Object.fromEntries(streams)).toEqual({ V: 'env_v', alerts: 'custom_alerts', errors: 'ns_errors', connectivity: 'env_conn' });
  });

  it('upper-cases the record type in the variable name', () => {
    expect(streamEnvVariable('connectivity')).toBe('KINESIS_STREAM_CONNECTIVITY');
    expect(streamEnvVariable('V')).toBe('KINESIS_STREAM_V');
  });

  it('only maps map keys that are own properties', () => {
    expect(resolveStreamNames(['toString'], {}, 'ns', {}).get('toString')).toBe('ns_toString');
  });

  it('lists the record types whose records list names the sink', () => {
    expect(recordTypesUsing('kinesis', { V: ['logger', 'kinesis'], alerts: ['kafka'], errors: ['kinesis'] })).toEqual(['V', 'errors']);
  });
});
