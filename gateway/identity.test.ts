import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, ensureDevPki, issueCertificate, EKU_CLIENT_AUTH, EKU_SERVER_AUTH } from '../shared/pki';
import type { IssueOptions, PemKeyPair } from '../shared/pki';
import { identityFromCertificate, identityFromFields } from './identity';

const KNOWN_ISSUERS = ['TeslaMotors', 'Tesla Issuing CA', 'Tesla Motors Products CA'];
const OID_ISSUERS = [
  'Tesla Motors Product Issuing CA',
  'Tesla Motors Product RSA Issuing CA',
  'Tesla Motors GF3 Product Issuing CA',
  'Tesla Motors GF3 Product RSA Issuing CA',
  'Tesla Energy Product Issuing CA',
  'Tesla Energy GF0 Product Issuing CA',
  'Tesla Motors GF0 Product Issuing CA',
  'Tesla Motors GF Austin Product Issuing CA',
  'Tesla Motors GF Berlin Product Issuing CA',
  'Tesla Product Access Issuing CA',
  'Tesla China Product Access Issuing CA',
  'Tesla GF0 Product Access Issuing CA',
  'Tesla GF3 Product Access Issuing CA',
  'Tesla GF Austin Product Access Issuing CA',
  'Tesla GF Berlin Product Access Issuing CA',
];
const SUFFIX_TYPES: Array<[number, string]> = [
  [1, 'vehicle_device'],
  [2, 'energy_device'],
  [11, 'vehicle_board_device'],
  [12, 'das_device'],
  [14, 'vehicle_service'],
  [15, 'das_service'],
  [16, 'energy_service'],
  [28, 'robotics_device'],
];
const ENG = '1.3.6.1.4.1.49279.2.4.';
const PROD = '1.3.6.1.4.1.49279.2.5.';
const EXCLUDED = '1.3.6.1.4.1.49279.2.5.1.1';
const OID_ISSUER = 'Tesla Motors Product Issuing CA';

const cas = new Map<string, PemKeyPair>();

beforeAll(async () => {
  for (const issuer of [...KNOWN_ISSUERS, ...OID_ISSUERS, 'Some Other CA']) cas.set(issuer, await createCa({ commonName: issuer }));
  cas.set('several CNs', await createCa({ commonNames: ['Tesla Motors Product Issuing CA', 'TeslaMotors'] }));
});

async function identity(issuer: string, options: IssueOptions): Promise<ReturnType<typeof identityFromCertificate>> {
  const ca = cas.get(issuer);
  if (!ca) throw new Error(`no CA ${issuer}`);
  const leaf = await issueCertificate(ca, options);
  return identityFromCertificate(leaf.certPem);
}

const vehicle = (clientType: string, deviceId: string) => ({ ok: true, clientType, deviceId, senderId: `${clientType}.${deviceId}` });
const failure = (issuer: string, cn: string, reason: string) => ({
  ok: false,
  error: `create_identity issuer: ${issuer}, common_name: ${cn}, err: ${reason}`,
});

describe('KNOWN_ISSUERS', () => {
  test.each(KNOWN_ISSUERS)('%s ⇒ vehicle_device whatever the OIDs and OUs', async (issuer) => {
    expect(await identity(issuer, { commonName: '5YJ3E1EA7KF000000' })).toEqual(vehicle('vehicle_device', '5YJ3E1EA7KF000000'));
    expect(
      await identity(issuer, { commonName: 'VIN', extKeyUsageOids: [EXCLUDED, `${PROD}2`], organizationalUnits: ['Solar Inverter'] }),
    ).toEqual(vehicle('vehicle_device', 'VIN'));
  });

  test('Tesla Motors Products CA with first OU "Tesla Motors SN" ⇒ vehicle_board_device', async () => {
    const issuer = 'Tesla Motors Products CA';
    expect(await identity(issuer, { commonName: 'board1', organizationalUnits: ['Tesla Motors SN'] })).toEqual(
      vehicle('vehicle_board_device', 'board1'),
    );
    expect(await identity(issuer, { commonName: 'board1', organizationalUnits: ['Tesla Motors SN', 'other'] })).toEqual(
      vehicle('vehicle_board_device', 'board1'),
    );
    // Only the FIRST OU counts.
    expect(await identity(issuer, { commonName: 'board1', organizationalUnits: ['other', 'Tesla Motors SN'] })).toEqual(
      vehicle('vehicle_device', 'board1'),
    );
    // Only for that issuer.
    expect(await identity('TeslaMotors', { commonName: 'board1', organizationalUnits: ['Tesla Motors SN'] })).toEqual(
      vehicle('vehicle_device', 'board1'),
    );
  });
});

describe('OID_ISSUERS', () => {
  test.each(OID_ISSUERS)('%s types by EKU OID', async (issuer) => {
    expect(await identity(issuer, { commonName: 'dev', extKeyUsageOids: [`${PROD}1`] })).toEqual(vehicle('vehicle_device', 'dev'));
    expect(await identity(issuer, { commonName: 'dev', extKeyUsageOids: [EKU_CLIENT_AUTH] })).toEqual(
      failure(issuer, 'dev', 'unauthorized certificate'),
    );
  });

  test.each(SUFFIX_TYPES)('suffix %i on both arcs', async (suffix, clientType) => {
    expect(await identity(OID_ISSUER, { commonName: 'dev', extKeyUsageOids: [`${ENG}${suffix}`] })).toEqual(vehicle(clientType, 'dev'));
    expect(await identity(OID_ISSUER, { commonName: 'dev', extKeyUsageOids: [`${PROD}${suffix}`] })).toEqual(vehicle(clientType, 'dev'));
  });

  test('unmapped suffixes and other arcs are not types', async () => {
    for (const oid of [`${PROD}3`, `${ENG}13`, `${PROD}29`, '1.3.6.1.4.1.49279.2.6.1', `${PROD}1.2`]) {
      expect(await identity(OID_ISSUER, { commonName: 'dev', extKeyUsageOids: [oid] })).toEqual(
        failure(OID_ISSUER, 'dev', 'unauthorized certificate'),
      );
    }
  });

  test('the excluded OID, and certificate order deciding against mapped OIDs', async () => {
    const excluded = failure(OID_ISSUER, 'dev', 'excluded certificate');
    expect(await identity(OID_ISSUER, { commonName: 'dev', extKeyUsageOids: [EXCLUDED] })).toEqual(excluded);
    expect(await identity(OID_ISSUER, { commonName: 'dev', extKeyUsageOids: [EXCLUDED, `${PROD}2`] })).toEqual(excluded);
    expect(await identity(OID_ISSUER, { commonName: 'dev', extKeyUsageOids: [`${PROD}2`, EXCLUDED] })).toEqual(
      vehicle('energy_device', 'dev'),
    );
    expect(await identity(OID_ISSUER, { commonName: 'dev', extKeyUsageOids: [EKU_CLIENT_AUTH, EXCLUDED, `${PROD}2`] })).toEqual(excluded);
    // The first mapped OID wins; unmapped ones before it are skipped.
    expect(
      await identity(OID_ISSUER, { commonName: 'dev', extKeyUsageOids: [EKU_SERVER_AUTH, `${PROD}99`, `${ENG}12`, `${PROD}2`] }),
    ).toEqual(vehicle('das_device', 'dev'));
  });

  test('OU_MAP overrides the OID type; the first matching OU in order wins', async () => {
    const eku = [`${PROD}2`];
    expect(await identity(OID_ISSUER, { commonName: 'inv', extKeyUsageOids: eku, organizationalUnits: ['Solar Inverter'] })).toEqual(
      vehicle('solar_inverter_device', 'inv'),
    );
    expect(await identity(OID_ISSUER, { commonName: 'wc', extKeyUsageOids: eku, organizationalUnits: ['Gen3 Wall Connector'] })).toEqual(
      vehicle('wall_connector_device', 'wc'),
    );
    expect(
      await identity(OID_ISSUER, {
        commonName: 'x',
        extKeyUsageOids: eku,
        organizationalUnits: ['misc', 'Gen3 Wall Connector', 'Solar Inverter'],
      }),
    ).toEqual(vehicle('wall_connector_device', 'x'));
    expect(await identity(OID_ISSUER, { commonName: 'x', extKeyUsageOids: eku, organizationalUnits: ['solar inverter'] })).toEqual(
      vehicle('energy_device', 'x'),
    );
    // An OU never rescues a certificate without a mapped OID.
    expect(
      await identity(OID_ISSUER, { commonName: 'x', extKeyUsageOids: [EKU_CLIENT_AUTH], organizationalUnits: ['Solar Inverter'] }),
    ).toEqual(failure(OID_ISSUER, 'x', 'unauthorized certificate'));
  });

  test('no EKU extension at all ⇒ unauthorized', async () => {
    expect(await identity(OID_ISSUER, { commonName: 'dev', extKeyUsageOids: [] })).toEqual(
      failure(OID_ISSUER, 'dev', 'unauthorized certificate'),
    );
  });
});

describe('names', () => {
  test('unknown issuer ⇒ unauthorized (exact error text)', async () => {
    expect(await identity('Some Other CA', { commonName: 'a.b' })).toEqual({
      ok: false,
      error: 'create_identity issuer: Some Other CA, common_name: a.b, err: unauthorized certificate',
    });
  });

  test('CN dots become dashes in the device id (and the sender id)', async () => {
    expect(await identity('TeslaMotors', { commonName: 'device.with.dots' })).toEqual(vehicle('vehicle_device', 'device-with-dots'));
  });

  test('several CNs: the last one counts, also inside a multi-valued RDN', async () => {
    expect(await identity('TeslaMotors', { commonNames: ['first', 'second', 'last.one'] })).toEqual(vehicle('vehicle_device', 'last-one'));
    expect(await identity('TeslaMotors', { subject: [{ CN: ['first'] }, { CN: ['mid'], OU: ['ou'] }] })).toEqual(
      vehicle('vehicle_device', 'mid'),
    );
    expect(await identity('TeslaMotors', { subject: [{ OU: ['x'] }] })).toEqual(vehicle('vehicle_device', ''));
  });

  test('the issuer CN is the issuer’s last CN', async () => {
    expect(await identity('several CNs', { commonName: 'v', extKeyUsageOids: [`${PROD}2`] })).toEqual(vehicle('vehicle_device', 'v'));
  });

  test('CN text is taken raw: RFC 4514 specials, quotes, newlines and non-ASCII survive', async () => {
    const cn = 'a,b+c="d"\\e<f>;g#h\ni ü 车';
    expect(await identity('TeslaMotors', { commonName: cn })).toEqual(vehicle('vehicle_device', cn));
    const ou = 'Solar Inverter';
    expect(await identity(OID_ISSUER, { commonName: ' x ', organizationalUnits: [`${ou},`, ou], extKeyUsageOids: [`${PROD}1`] })).toEqual(
      vehicle('solar_inverter_device', ' x '),
    );
  });
});

describe('inputs', () => {
  let leaf: PemKeyPair;
  let ca: PemKeyPair;
  beforeAll(async () => {
    ca = cas.get('TeslaMotors') as PemKeyPair;
    leaf = await issueCertificate(ca, { commonName: 'VIN1' });
  });

  test('PEM bundle (leaf first), DER and node X509Certificate', () => {
    const expected = vehicle('vehicle_device', 'VIN1');
    expect(identityFromCertificate(`${leaf.certPem}${ca.certPem}`)).toEqual(expected);
    const cert = new X509Certificate(leaf.certPem);
    expect(identityFromCertificate(cert)).toEqual(expected);
    expect(identityFromCertificate(new Uint8Array(cert.raw))).toEqual(expected);
  });

  test('no certificate ⇒ missing_verified_client_certificate', () => {
    expect(identityFromCertificate('')).toEqual({ ok: false, error: 'missing_verified_client_certificate' });
    expect(identityFromCertificate(new Uint8Array(0))).toEqual({ ok: false, error: 'missing_verified_client_certificate' });
  });

  test('damaged DER never throws (every truncation, seeded byte flips)', () => {
    const der = new Uint8Array(new X509Certificate(leaf.certPem).raw);
    for (let n = 0; n < der.length; n++) {
      const result = identityFromCertificate(der.slice(0, n));
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/^(missing_verified_client_certificate|create_identity err: unreadable certificate: )/);
    }
    let seed = 12345;
    const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 3000; i++) {
      const copy = der.slice();
      for (let m = 0; m < 3; m++) copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 256);
      expect(() => identityFromCertificate(copy)).not.toThrow();
    }
  });
});

test('ensureDevPki client certificates are vehicle_device.<VIN>', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'identity-dev-pki-'));
  try {
    const paths = await ensureDevPki(dir, ['5YJ3E1EA7KF000000', 'LRW.3E7']);
    expect(identityFromCertificate(readFileSync(paths.vehicles['5YJ3E1EA7KF000000'].cert, 'utf8'))).toEqual(
      vehicle('vehicle_device', '5YJ3E1EA7KF000000'),
    );
    expect(identityFromCertificate(readFileSync(paths.vehicles['LRW.3E7'].cert, 'utf8'))).toEqual(vehicle('vehicle_device', 'LRW-3E7'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('identityFromFields', () => {
  test('empty fields ⇒ unauthorized with empty names', () => {
    expect(identityFromFields({ issuerCommonName: '', commonName: '', organizationalUnits: [], extKeyUsageOids: [] })).toEqual(
      failure('', '', 'unauthorized certificate'),
    );
  });
});
