/**
 * A server the bench did not start (--target, --compare): its options are checked before any load,
 * and one vehicle connects with the first client certificate and sends one V record, so a wrong CA,
 * a refused certificate or a server that is not there fails at once with the option to fix named,
 * instead of as thousands of failed handshakes in the middle of a run.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { OptionError } from '../scenarios/bench-options';
import type { ServerOptionNames, TargetOptions } from '../scenarios/bench-options';
import { identitiesFromDir } from '../load/client-identities';
import type { ClientIdentity } from '../load/generator-protocol';
import { seededRandom, streamFrame, vehicleDataPayload } from '../vehicle/records';
import { VehicleConnection } from '../vehicle/vehicle-client';

const PROBE_TIMEOUT_MS = 10_000;

/** Errors Node's TLS client reports when the server's certificate does not verify against the CA given. */
const SERVER_CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Errors of reaching the address at all. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

/** Checks the files and pid options (no network): the client certificates found, or an error naming the option. */
export function checkServerOptions(t: TargetOptions, n: ServerOptionNames): ClientIdentity[] {
  let ca: string;
  try {
    ca = readFileSync(t.caFile, 'utf8');
  } catch (error) {
    throw new OptionError(`--${n.ca} ${t.caFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    new X509Certificate(ca);
  } catch {
    throw new OptionError(`--${n.ca} ${t.caFile}: not a PEM certificate (the CA that issued the server's certificate)`);
  }
  if (!existsSync(t.certsDir) || !statSync(t.certsDir).isDirectory())
    throw new OptionError(`--${n.certs} ${t.certsDir}: no such directory`);
  let identities: ClientIdentity[];
  try {
    identities = identitiesFromDir(t.certsDir);
  } catch (error) {
    throw new OptionError(`--${n.certs} ${t.certsDir}: ${(error as Error).message}`);
  }
  if (t.pid !== undefined && !existsSync(`/proc/${t.pid}`)) throw new OptionError(`--${n.pid} ${t.pid}: no such process on this machine`);
  return identities;
}

/**
 * One vehicle connects with `identity` and sends one V record; resolves when it is ACKed. Rejects
 * with the option to fix: the address (unreachable), the CA (server certificate does not verify),
 * the certificates (refused by the server), or the server itself (no ACK).
 */
export async function probeServer(t: TargetOptions, n: ServerOptionNames, identity: ClientIdentity): Promise<void> {
  const address = `${t.host}:${t.port}`;
  const host = isIP(t.host) === 6 ? `[${t.host}]` : t.host;
  const refused = (why: string) =>
    new OptionError(
      `--${n.certs} ${t.certsDir}: ${address} refused the client certificate ${identity.certFile} (${why}); ` +
        `its CA must be among the CAs the server accepts vehicle certificates from`,
    );
  let vehicle: VehicleConnection;
  try {
    vehicle = await VehicleConnection.connect({
      url: `wss://${host}:${t.port}/`,
      ca: readFileSync(t.caFile),
      cert: readFileSync(identity.certFile),
      key: readFileSync(identity.keyFile),
      connectTimeoutMs: PROBE_TIMEOUT_MS,
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const code = e.code ?? '';
    if (UNREACHABLE_CODES.has(code) || /timed out|timeout/i.test(e.message))
      throw new OptionError(`--${n.server} ${address}: unreachable (${code || e.message})`);
    if (SERVER_CERTIFICATE_CODES.has(code))
      throw new OptionError(`--${n.ca} ${t.caFile}: the certificate of ${address} does not verify against it (${code}: ${e.message})`);
    // A TLS alert from the server (TLS 1.2 rejects during the handshake), a reset, or an upgrade
    // refused with 401/403: the server did not accept the vehicle.
    if (/ALERT/.test(code) || code === 'ECONNRESET' || /socket hang up|upgrade refused/.test(e.message)) throw refused(code || e.message);
    throw new OptionError(`--${n.server} ${address}: ${code || e.message}`);
  }
  try {
    const frame = streamFrame({
      topic: 'V',
      txid: 'bench-probe',
      payload: vehicleDataPayload(identity.vin, 20, seededRandom(1)),
      vin: identity.vin,
    });
    vehicle.send(frame);
    let reply;
    try {
      reply = await vehicle.nextReply(PROBE_TIMEOUT_MS);
    } catch (error) {
      // TLS 1.3 finishes the client's handshake before the server checks its certificate: a refusal
      // arrives as an alert or a close after the upgrade.
      if (/closed/.test((error as Error).message)) throw refused(`connection closed after the upgrade`);
      throw new OptionError(`--${n.server} ${address}: no reply to a V record within ${PROBE_TIMEOUT_MS} ms`);
    }
    if (reply.kind !== 'ack' || reply.txid !== 'bench-probe')
      throw new OptionError(
        `--${n.server} ${address}: answered a V record with ${reply.kind === 'error' ? `ERROR "${reply.errorText}"` : 'something other than its ACK'}`,
      );
  } finally {
    vehicle.terminate();
  }
}
