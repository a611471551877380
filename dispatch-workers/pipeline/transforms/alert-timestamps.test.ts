import { create, VehicleAlertsType } from '../../../shared/protobuf';
import type { VehicleAlerts } from '../../../shared/protobuf';
import { fixAlertTimestamp, transformAlertTimestamps } from './alert-timestamps';

describe('alert timestamp fix (§6.3)', () => {
  it('reads seconds ≥ 315576000000 as milliseconds and drops the nanos', () => {
    expect(fixAlertTimestamp({ seconds: 1692044886337n, nanos: 5 })).toEqual({
      seconds: 1692044886n,
      nanos: 337000000,
      $unknown: undefined,
    });
    expect(fixAlertTimestamp({ seconds: 315576000000n, nanos: 1 })).toEqual({ seconds: 315576000n, nanos: 0, $unknown: undefined });
  });

  it('leaves smaller values untouched', () => {
    const ts = { seconds: 1600000000n, nanos: 337000000 };
    expect(fixAlertTimestamp(ts)).toBe(ts);
    const edge = { seconds: 315575999999n, nanos: 0 };
    expect(fixAlertTimestamp(edge)).toBe(edge);
  });

  it('fixes started_at and ended_at of every alert, leaving unset ones unset', () => {
    const a: VehicleAlerts = create(VehicleAlertsType, {
      alerts: [
        { name: 'active', audiences: [], started_at: { seconds: 1692044886337n, nanos: 0 }, ended_at: undefined },
        {
          name: 'ended',
          audiences: [],
          started_at: { seconds: 1692044886337n, nanos: 0 },
          ended_at: { seconds: 1692044886999n, nanos: 0 },
        },
        { name: 'seconds', audiences: [], started_at: { seconds: 1600000000n, nanos: 337000000 }, ended_at: undefined },
      ],
    });
    transformAlertTimestamps(a);
    expect(a.alerts.map((x) => [x.started_at?.seconds, x.started_at?.nanos, x.ended_at?.seconds, x.ended_at?.nanos])).toEqual([
      [1692044886n, 337000000, undefined, undefined],
      [1692044886n, 337000000, 1692044886n, 999000000],
      [1600000000n, 337000000, undefined, undefined],
    ]);
  });
});
