/**
 * More than one accept per event-loop turn on Node 20, without native code.
 *
 * libuv >= 1.45 (Node 20 ships 1.46) takes ONE connection from a listening socket per loop turn
 * (libuv/libuv#3696 removed the accept loop from `uv__server_io`). Under a storm a turn is long,
 * so a newcomer waits behind every connection queued ahead of it at one per turn. Node 20 has no
 * `reusePort`, but each descriptor of the same listening socket is polled on its own: K
 * descriptors are K accepts per turn from the one kernel queue, still FIFO.
 *
 *   parent ──send(TCP handle)──► child (echo) ──send(TCP handle)──► parent: a handle on a dup'd fd
 *
 * Node duplicates a descriptor only when it passes one over IPC (SCM_RIGHTS), so a short-lived
 * child echoes the listening socket's handle back K - 1 times and exits. The raw handle is sent
 * (not the net.Server, which the child would start listening on and could accept from); the
 * parent listens on each copy with the same backlog (listen(2) again on the one socket would
 * otherwise reset its backlog) and the caller gives it the same connection listener.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type net from 'node:net';

/** A loop turn's accepts are bounded by this; each handle is a descriptor and a poll entry. */
export const acceptHandlesMax = 64;

/**
 * 4: under bench/hostile-clients.ts's storm a newcomer's first reply came 3-4x sooner than with 1
 * (13.6 ms -> 3.4-4.7 ms), with established clients' p99 still at the bare node:net floor's. 8 and
 * 16 let the reconnecting clients in faster still, and their extra work per turn raised
 * established clients' p50 to 2-3x the floor's. It costs 3 descriptors and ~100 ms at start.
 */
export const acceptHandlesDefault = 4;

/** The whole child: send every handle back the way it came. Plain JS, no loader needed. */
const echoScript = "process.on('message', (message, handle) => process.send(message, handle));";

/** The libuv handle under a listening net.Server: what Node passes over IPC without wrapping it. */
type ListenHandle = object;

function handleOf(server: net.Server): ListenHandle {
  const handle = (server as unknown as { _handle?: ListenHandle | null })._handle;
  if (handle == null) throw new Error('the server is not listening');
  return handle;
}

/**
 * How long the echo child may take to start and send every copy back before the server gives up
 * on the copies and listens on its one descriptor (a start-up under heavy load took ~300 ms).
 */
export const duplicateTimeoutMs = 5_000;

/**
 * `count` handles on duplicates of listening `server`'s descriptor, not yet listening. Rejects
 * when the echo child cannot be spawned, exits early or takes longer than `timeoutMs`; the child
 * is gone either way.
 */
export async function duplicateListenHandles(
  server: net.Server,
  count: number,
  timeoutMs = duplicateTimeoutMs,
): Promise<ListenHandle[]> {
  if (count <= 0) return [];
  const handle = handleOf(server);
  const env = { ...process.env };
  delete env.NODE_OPTIONS; // the echo needs no loader, and a loader costs it 100+ ms
  const child = spawn(process.execPath, ['-e', echoScript], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env,
  });
  // A child that ran ends with 'exit'; one that could not be spawned says so with 'error' only.
  const gone = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const copies: ListenHandle[] = [];
    for (let index = 0; index < count; index += 1) {
      // `once` rejects on the child's 'error' (a failed spawn) and on the signal.
      const reply = once(child, 'message', { signal }) as Promise<[unknown, ListenHandle | undefined]>;
      const exitedEarly = once(child, 'exit', { signal }).then(() => {
        throw new Error('the echo process exited before sending the listen handle back');
      });
      // The race below reports whichever settles first; the other must not crash us later.
      reply.catch(() => {});
      exitedEarly.catch(() => {});
      child.send('listen-handle', handle as net.Server, (error) => {
        if (error !== null) child.kill();
      });
      const [, copy] = await Promise.race([reply, exitedEarly]);
      if (copy === undefined) throw new Error('the listen handle did not come back from the echo process');
      copies.push(copy);
    }
    return copies;
  } finally {
    if (child.connected) child.disconnect();
    child.kill();
    await gone;
  }
}
