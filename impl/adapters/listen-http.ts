/**
 * Listening and closing for every HTTP server of ours (admin, discovery, health, fault proxy):
 * a listen that rejects on a bind error and resolves with the port actually bound (`0` takes a
 * free one), and a close that ends kept-alive connections instead of waiting for their timeout.
 */
import type http from 'node:http';

export function listenHttp(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

export function closeHttp(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
