import { join, resolve } from 'node:path';
import { findProtosDir, jsonNameOf, messageType } from './schema';

describe('schema loading', () => {
  const root = resolve(__dirname, '..', '..');

  it('finds protos/ from the source folder and from the compiled dist/ folder', () => {
    expect(findProtosDir(__dirname)).toBe(join(root, 'protos'));
    expect(findProtosDir(join(root, 'dist', 'shared', 'protobuf'))).toBe(join(root, 'protos'));
    expect(() => findProtosDir('/')).toThrow(/protos\/ folder not found/);
  });

  it.each([
    ['created_at', 'createdAt'],
    ['is_resend', 'isResend'],
    ['semi_middle_axle_left_2', 'semiMiddleAxleLeft2'],
    ['DriverFront', 'DriverFront'],
    ['cabin_overheat_protection_temperature_limit_value', 'cabinOverheatProtectionTemperatureLimitValue'],
  ])('JSON name of %s is %s', (name, json) => {
    expect(jsonNameOf(name)).toBe(json);
  });

  it('builds number-indexed tables and the JSON slot order', () => {
    const value = messageType('telemetry.vehicle_data.Value');
    expect(value.byNumber).toHaveLength(55);
    expect(value.byNumber[20]).toBeUndefined();
    expect(value.byNumber[54]?.name).toBe('sunroof_installed_state_value');
    expect(value.jsonSlots).toHaveLength(1);
    const payload = messageType('telemetry.vehicle_data.Payload');
    expect(payload.plainByNumber.map((f) => f.name)).toEqual(['data', 'created_at', 'vin', 'is_resend']);
    expect(payload.template).toEqual({ data: undefined, created_at: undefined, vin: '', is_resend: false, $unknown: undefined });
  });

  it('instantiates each type as its template with fresh containers', () => {
    for (const name of ['telemetry.vehicle_data.Payload', 'telemetry.vehicle_error.VehicleError', 'telemetry.vehicle_data.Value']) {
      const type = messageType(name);
      const a = type.instantiate();
      const b = type.instantiate();
      const expected: Record<string, unknown> = { ...type.template };
      for (const f of type.containerFields) expected[f.name] = f.isMap ? {} : [];
      expect(a).toEqual(expected);
      expect(Object.keys(a)).toEqual(Object.keys(type.template));
      for (const f of type.containerFields) expect(a[f.name]).not.toBe(b[f.name]);
    }
    expect(messageType('telemetry.vehicle_error.VehicleError').containerFields.some((f) => f.isMap)).toBe(true);
  });
});
