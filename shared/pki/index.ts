/** Certificate generation for dev mode, tests and benchmarks (see create-certificates.ts, dev-pki.ts). */
export { createCa, issueCertificate, EKU_CLIENT_AUTH, EKU_SERVER_AUTH } from './create-certificates';
export type { CaOptions, IssueOptions, NameOptions, PemKeyPair, RelativeDistinguishedName } from './create-certificates';
export { ensureDevPki, DEV_CA_COMMON_NAME } from './dev-pki';
export type { DevPkiPaths } from './dev-pki';
