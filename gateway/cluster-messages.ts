/** IPC between the cluster primary and its workers. */
export type PrimaryMessage = { type: 'drain'; deadlineMs: number };
export type WorkerMessage = { type: 'listening'; pid: number };

/** Environment variables the primary hands to each worker it forks. */
export const WORKER_CONFIG_ENV = 'FLEET_TELEMETRY_WORKER_CONFIG';
export const WORKER_PORT_ENV = 'FLEET_TELEMETRY_WORKER_PORT';
