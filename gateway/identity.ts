/**
 * Client identity from the verified leaf certificate (PROTOCOL.md §3): client type from the issuer
 * CN, the EKU OIDs and the subject OUs; device id from the subject CN.
 */
import type { X509Certificate } from 'node:crypto';
import {
  firstPemCertificate,
  OID_COMMON_NAME,
  OID_ORGANIZATIONAL_UNIT,
  readCertificateFields,
} from '../shared/pki/read-certificate-fields';
import type { NameAttribute } from '../shared/pki/read-certificate-fields';

export type Identity = { ok: true; clientType: string; deviceId: string; senderId: string } | { ok: false; error: string };

/** The certificate fields §3.1 looks at. */
export interface IdentityFields {
  issuerCommonName: string;
  /** Go's Name.CommonName: the last CN attribute ('' if none). */
  commonName: string;
  organizationalUnits: readonly string[];
  extKeyUsageOids: readonly string[];
}

/** Issuer CN → client type; these issuers ignore the OIDs (§3.1). */
const KNOWN_ISSUERS: ReadonlyMap<string, string> = new Map([
  ['TeslaMotors', 'vehicle_device'],
  ['Tesla Issuing CA', 'vehicle_device'],
  ['Tesla Motors Products CA', 'vehicle_device'],
]);

/** Issuers whose leaf type comes from its EKU OIDs (§3.1). */
const OID_ISSUERS: ReadonlySet<string> = new Set([
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
]);

/** EKU suffix → client type, on both the eng (…2.4.x) and prod (…2.5.x) arcs (§3.1). */
const OID_SUFFIX_TYPES: ReadonlyArray<[number, string]> = [
  [1, 'vehicle_device'],
  [2, 'energy_device'],
  [11, 'vehicle_board_device'],
  [12, 'das_device'],
  [14, 'vehicle_service'],
  [15, 'das_service'],
  [16, 'energy_service'],
  [28, 'robotics_device'],
];
const OID_MAP: ReadonlyMap<string, string> = new Map(
  OID_SUFFIX_TYPES.flatMap(([suffix, type]): Array<[string, string]> => [
    [`1.3.6.1.4.1.49279.2.4.${suffix}`, type],
    [`1.3.6.1.4.1.49279.2.5.${suffix}`, type],
  ]),
);

/** Wi-Fi EAP certificates (§3.1). */
const EXCLUDED_OIDS: ReadonlySet<string> = new Set(['1.3.6.1.4.1.49279.2.5.1.1']);

/** Subject OU → client type, overriding the OID type (§3.1). */
const OU_MAP: ReadonlyMap<string, string> = new Map([
  ['Solar Inverter', 'solar_inverter_device'],
  ['Gen3 Wall Connector', 'wall_connector_device'],
]);

const BOARD_ISSUER = 'Tesla Motors Products CA';
const BOARD_OU = 'Tesla Motors SN';

/**
 * Identity of the client's verified leaf certificate: PEM (the first certificate of a bundle),
 * DER, or node's X509Certificate. Never throws.
 */
export function identityFromCertificate(certificate: string | Uint8Array | X509Certificate): Identity {
  const der =
    typeof certificate === 'string' ? firstPemCertificate(certificate) : certificate instanceof Uint8Array ? certificate : certificate.raw;
  if (der === undefined || der.length === 0) return { ok: false, error: 'missing_verified_client_certificate' };
  let issuer: NameAttribute[];
  let subject: NameAttribute[];
  let extKeyUsageOids: string[];
  try {
    ({ issuer, subject, extKeyUsageOids } = readCertificateFields(der));
  } catch (err) {
    return { ok: false, error: `create_identity err: unreadable certificate: ${err instanceof Error ? err.message : String(err)}` };
  }
  return identityFromFields({
    issuerCommonName: lastValue(issuer, OID_COMMON_NAME),
    commonName: lastValue(subject, OID_COMMON_NAME),
    organizationalUnits: subject.filter((a) => a.oid === OID_ORGANIZATIONAL_UNIT).map((a) => a.value),
    extKeyUsageOids,
  });
}

/** §3.1 on already-extracted fields. */
export function identityFromFields(fields: IdentityFields): Identity {
  const deviceId = fields.commonName.replaceAll('.', '-');
  const fail = (reason: string): Identity => ({
    ok: false,
    error: `create_identity issuer: ${fields.issuerCommonName}, common_name: ${fields.commonName}, err: ${reason}`,
  });
  const ok = (clientType: string): Identity => ({ ok: true, clientType, deviceId, senderId: `${clientType}.${deviceId}` });

  if (OID_ISSUERS.has(fields.issuerCommonName)) {
    // Certificate order decides: the first excluded or mapped OID wins.
    for (const oid of fields.extKeyUsageOids) {
      if (EXCLUDED_OIDS.has(oid)) return fail('excluded certificate');
      const oidType = OID_MAP.get(oid);
      if (oidType === undefined) continue;
      for (const ou of fields.organizationalUnits) {
        const ouType = OU_MAP.get(ou);
        if (ouType !== undefined) return ok(ouType);
      }
      return ok(oidType);
    }
    return fail('unauthorized certificate');
  }

  const issuerType = KNOWN_ISSUERS.get(fields.issuerCommonName);
  if (issuerType === undefined) return fail('unauthorized certificate');
  if (fields.issuerCommonName === BOARD_ISSUER && fields.organizationalUnits[0] === BOARD_OU) return ok('vehicle_board_device');
  return ok(issuerType);
}

/** Go's pkix.Name keeps the last value of a single-valued field such as CN. */
function lastValue(attributes: readonly NameAttribute[], oid: string): string {
  for (let i = attributes.length - 1; i >= 0; i--) if (attributes[i].oid === oid) return attributes[i].value;
  return '';
}
