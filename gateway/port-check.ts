/**
 * The primary's check that nobody else listens on the vehicle port. The workers bind it with
 * SO_REUSEPORT, which the kernel would also grant next to another gateway's workers (same user),
 * splitting the vehicles between two configs without a word. A plain bind (no SO_REUSEPORT) fails
 * while any other socket listens there, so the primary binds once, releases the port, and only
 * then forks its own workers, which share it among themselves.
 */
import { createServer } from 'node:net';

export class PortInUseError extends Error {
  readonly code = 'PORT_IN_USE';
}

/** Resolves with `port` when no other process listens on it; rejects with a PortInUseError naming it. */
export function refuseTakenPort(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EADDRINUSE') {
        reject(error);
        return;
      }
      const where = host === '' ? `port ${port}` : `${host}:${port}`;
      reject(
        new PortInUseError(
          `${where} (config key "port") is already in use by another process (another gateway?): refusing to share it; stop that process or choose another port`,
        ),
      );
    });
    server.listen({ port, host: host || undefined, exclusive: true }, () => server.close(() => resolve(port)));
  });
}
