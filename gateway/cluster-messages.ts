/** IPC between the cluster primary and its workers. */
/**
 * `drain`: stop accepting, close the sessions spread over `spreadMs` (0: all at once), finish within
 * `deadlineMs`, exit. A second drain while draining closes the remaining sessions at once.
 */
export type PrimaryMessage = { type: 'drain'; deadlineMs: number; spreadMs: number };
export type WorkerMessage = { type: 'listening'; pid: number };

/** Environment variables the primary hands to each worker it forks. */
export const WORKER_CONFIG_ENV = 'FLEET_TELEMETRY_WORKER_CONFIG';
export const WORKER_PORT_ENV = 'FLEET_TELEMETRY_WORKER_PORT';
