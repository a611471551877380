/**
 * PROTOCOL.md §10.3 checks before the Pub/Sub client is created, with upstream's error texts:
 * an empty project id, and the emulator and GCP credentials variables set together (even empty).
 */
export const EMULATOR_HOST_VARIABLE = 'PUBSUB_EMULATOR_HOST';
export const CREDENTIALS_VARIABLE = 'GOOGLE_APPLICATION_CREDENTIALS';

export class PubsubStartupError extends Error {
  override readonly name = 'PubsubStartupError';
}

export function checkPubsubSetup(projectId: string, env: Readonly<Record<string, string | undefined>>): void {
  if (projectId === '') throw new PubsubStartupError('pubsub_connect_error GCP Project ID cannot be empty');
  if (env[EMULATOR_HOST_VARIABLE] !== undefined && env[CREDENTIALS_VARIABLE] !== undefined)
    throw new PubsubStartupError('pubsub_connect_error pubsub cannot initialize with both emulator and GCP resource');
}
