/**
 * A TCP relay between a replica and its primary that holds the primary's replication stream for
 * `lagMs` before passing it on: asynchronous replication that trails by a known lag, on loopback
 * where it would otherwise trail by microseconds. The replica's own bytes (its handshake, its
 * ACKs) pass at once. `sever()` is the primary's death as the replica sees it: every connection
 * closes and the bytes still held are lost, exactly the writes of the last lag window.
 */
import { once } from 'node:events';
import net from 'node:net';

/** Bytes held per connection at most; beyond it the link is severed and the replica resyncs. */
export const heldBytesMax = 64 * 1024 * 1024;

export interface ReplicationLag {
  /** Where the replica connects (`--replicaof 127.0.0.1 <port>`). */
  port: number;
  lagMs: number;
  /** Closes every connection, dropping the held bytes, and refuses new ones. */
  sever(): void;
}

export async function startReplicationLag(primaryPort: number, lagMs: number): Promise<ReplicationLag> {
  const pairs = new Set<{ replica: net.Socket; primary: net.Socket; timers: Set<NodeJS.Timeout> }>();
  const server = net.createServer((replica) => {
    const primary = net.connect({ port: primaryPort, host: '127.0.0.1' });
    const pair = { replica, primary, timers: new Set<NodeJS.Timeout>() };
    pairs.add(pair);
    let heldBytes = 0;
    const close = () => {
      for (const timer of pair.timers) clearTimeout(timer);
      pair.timers.clear();
      replica.destroy();
      primary.destroy();
      pairs.delete(pair);
    };
    replica.on('data', (chunk) => primary.write(chunk));
    primary.on('data', (chunk) => {
      heldBytes += chunk.length;
      if (heldBytes > heldBytesMax) {
        close();
        return;
      }
      const timer = setTimeout(() => {
        pair.timers.delete(timer);
        heldBytes -= chunk.length;
        replica.write(chunk);
      }, lagMs);
      pair.timers.add(timer);
    });
    for (const socket of [replica, primary]) {
      socket.on('error', close);
      socket.on('close', close);
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  server.unref();
  return {
    port: (server.address() as net.AddressInfo).port,
    lagMs,
    sever: () => {
      server.close();
      for (const pair of [...pairs]) {
        for (const timer of pair.timers) clearTimeout(timer);
        pair.timers.clear();
        pair.replica.destroy();
        pair.primary.destroy();
      }
      pairs.clear();
    },
  };
}
