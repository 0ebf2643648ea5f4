/**
 * The node:net shell around `ServerCore`: sockets in, bytes to sessions, replies out.
 *
 *   socket 'data' ──► session.receive ──► pump: write takeOutput() (one write per chunk, not
 *   per line), pause reading while the session or the socket is full, end when it says so.
 *
 * Bounds per client: the partial line (decoder), pending replies (session), unsent bytes
 * (`outputBytesMax`: decoding pauses above it, then the socket's high-water mark) and time stalled on a full socket (`writeStallMs`:
 * then the client is dropped). One coarse sweep timer serves every session's idle and age
 * deadlines, so 20,000 clients do not mean 20,000 timers.
 */
import net from 'node:net';
import type { Clock } from '../ports/clock.ts';
import type { CloseReason, Session } from '../core/session.ts';
import type { ServerCore, AdmitRefusal } from '../core/server-core.ts';
import { closeReplies, errors } from '../core/protocol.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { clientsWithinFdLimit } from './fd-limit.ts';
import { AcceptErrorLog, Refuser } from './refusal.ts';
import { duplicateListenHandles } from './accept-handles.ts';

/**
 * Reply bytes produced for backlogged clients per event-loop turn, across all of them. libuv
 * (>= 1.45) accepts one connection per listening descriptor per turn (`acceptHandles` of them),
 * so a turn's length also paces accepts: at 64 KiB
 * (~3 ms of INFO replies) 250 pipelining never-readers held accepts to ~300/s for 5 s; at
 * 16 KiB they run at 1,000-2,500/s for about the same total work (bench/hostile-clients.ts).
 */
const backlogBytesPerTurn = 16 * 1024;

/** The kernel's accept queue for the listening socket (capped by net.core.somaxconn). */
const listenBacklog = 4096;

export interface TcpServerOptions {
  host: string;
  port: number;
  core: ServerCore;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  /**
   * Descriptors of the listening socket polled by the loop, so accepts per loop turn (libuv takes
   * one per descriptor per turn; accept-handles.ts). @default 1 (`serve` passes its option, 4)
   */
  acceptHandles?: number;
  /** Called after anything that may have given the backend news (count change, WHO). */
  onActivity?: () => void;
}

/**
 * Per client, the adapter keeps no record of its own (an object per client was ~70 bytes of each
 * idle client's memory): the socket carries its session under this key, the session carries its
 * socket as its `hostRecord`, a pause is the socket's own `isPaused()`, a release is the session
 * being `closed`, and the rare client stalled on a full socket has an entry in `#stalledSinceMs`.
 */
const sessionOf = Symbol('headcount.session');
type ClientSocket = net.Socket & { [sessionOf]?: Session };

interface SocketListeners {
  data(this: ClientSocket, chunk: Buffer): void;
  drain(this: ClientSocket): void;
  close(this: ClientSocket): void;
}

function ignore(): void {}

function socketOf(session: Session): net.Socket {
  return session.hostRecord as net.Socket;
}

function released(session: Session): boolean {
  return session.state === 'closed';
}

export class TcpServer {
  readonly #options: TcpServerOptions;
  readonly #server: net.Server;
  /** The duplicates of `#server`'s descriptor (`acceptHandles - 1` of them), once listening. */
  #extraServers: net.Server[] = [];
  readonly #backlogged = new Set<Session>();
  /** Clients whose socket refused a write, and since when (dropped after `writeStallMs`). */
  readonly #stalledSinceMs = new Map<Session, number>();
  #backlogScheduled = false;
  readonly #fdCap: number;
  readonly #refuser = new Refuser();
  readonly #acceptErrors = new AcceptErrorLog();
  #sweepTimer: NodeJS.Timeout | undefined;

  /**
   * Socket listeners shared by every client (the socket is `this`, its session hangs off it):
   * one set of functions per server instead of closures per connection, which is a few hundred
   * bytes of memory per idle client. No 'end' listener: the server does not allow half-open
   * sockets, so Node ends our side after the peer's FIN (replies already written still go) and
   * 'close' follows; a second 'end' listener beside Node's own would be a 64-byte array each.
   */
  readonly #listeners: SocketListeners;

  constructor(options: TcpServerOptions) {
    this.#options = options;
    // Each duplicate of the listening socket holds a descriptor, taken from the clients' share.
    this.#fdCap = Math.max(1, clientsWithinFdLimit() - ((options.acceptHandles ?? 1) - 1));
    this.#listeners = this.#createListeners();
    this.#server = this.#createListener();
    options.core.onSessionOutput = (session) => {
      if (session.hostRecord !== undefined && !released(session)) this.#pump(session);
    };
    if (options.core.limits.connectionsMax > this.#fdCap) {
      options.logger.warn(
        { connectionsMax: options.core.limits.connectionsMax, fdCap: this.#fdCap },
        'connectionsMax is above what the file-descriptor limit allows; clients past fdCap are refused (raise ulimit -n)',
      );
    }
  }

  /** The client cap in force: --max-connections, lowered to what the descriptor limit allows. */
  #createListener(): net.Server {
    const { clock, logger } = this.#options;
    const server = net.createServer({ noDelay: true }, (socket) => this.#accept(socket));
    server.on('error', (error: NodeJS.ErrnoException) => {
      // Accept can fail (EMFILE at the descriptor limit); the listener keeps going, and a burst
      // of failures costs one log line per second (refusal.ts).
      if (error.code === 'EMFILE' || error.code === 'ENFILE') this.#rejected('fd-limit');
      const errors = this.#acceptErrors.note(clock.nowMs());
      if (errors > 0) logger.warn({ code: error.code, err: error.message, errors }, 'accept failed');
    });
    return server;
  }

  get connectionsMaxEffective(): number {
    return Math.min(this.#options.core.limits.connectionsMax, this.#fdCap);
  }

  get clientCount(): number {
    return this.#options.core.sessions.size;
  }

  /** Every admitted client: the core's sessions are the one list (no map of our own). */
  *#clients(): Generator<Session> {
    for (const session of this.#options.core.sessions.keys()) {
      if (session.hostRecord !== undefined) yield session;
    }
  }

  async listen(): Promise<number> {
    const { host, port } = this.#options;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#server.once('error', onError);
      this.#server.listen({ host, port, backlog: listenBacklog }, () => {
        this.#server.off('error', onError);
        resolve();
      });
    });
    await this.#listenExtra((this.#options.acceptHandles ?? 1) - 1);
    this.#startSweep();
    const address = this.#server.address();
    return typeof address === 'object' && address !== null ? address.port : port;
  }

  /** Listens on `count` duplicates of the socket too, each accepting into the same `#accept`. */
  async #listenExtra(count: number): Promise<void> {
    if (count <= 0) return;
    let handles: object[];
    try {
      handles = await duplicateListenHandles(this.#server, count);
    } catch (error) {
      // Serving with one descriptor beats not serving: say so, and go on.
      this.#options.logger.warn(
        { err: (error as Error).message, acceptHandles: 1 },
        'could not duplicate the listening socket; accepting on one descriptor',
      );
      return;
    }
    this.#extraServers = handles.map((handle) => {
      const server = this.#createListener();
      server.listen(handle, listenBacklog);
      return server;
    });
  }

  /** Resolves once every listener is closed and every connection it accepted has ended. */
  #closeListeners(): Promise<void> {
    const servers = [this.#server, ...this.#extraServers];
    return Promise.all(
      servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    ).then(ignore);
  }

  get listening(): boolean {
    return this.#server.listening;
  }

  /**
   * Graceful stop: refuse new clients, let each session finish what it owes with
   * `BYE shutting down`, wait up to `drainMs` for sockets to close, then destroy the rest.
   */
  async drain(drainMs: number): Promise<void> {
    const nowMs = this.#options.clock.nowMs();
    this.#options.core.drain(nowMs);
    const closed = this.#closeListeners();
    for (const session of this.#clients()) this.#pump(session);
    const timer = setTimeout(() => {
      for (const session of [...this.#clients()]) this.#destroy(session, 'draining');
    }, drainMs);
    await closed;
    clearTimeout(timer);
    this.#stopSweep();
  }

  /** Hard stop: every socket destroyed now, nothing said (what a crash looks like to clients). */
  async destroy(): Promise<void> {
    this.#stopSweep();
    const closed = this.#closeListeners();
    for (const session of [...this.#clients()]) socketOf(session).destroy();
    await closed;
  }

  #accept(socket: net.Socket): void {
    const { core, clock } = this.#options;
    socket.on('error', ignore); // 'close' follows every error; the reason is recorded there.
    const nowMs = clock.nowMs();
    if (core.sessions.size >= this.#fdCap) {
      this.#refuse(socket, 'fd-limit');
      return;
    }
    const admission = core.admit(this.#addressOf(socket), nowMs);
    if (!admission.ok) {
      this.#refuse(socket, admission.reason);
      return;
    }
    admission.session.hostRecord = socket;
    this.#options.metrics?.counter('headcount_connections_accepted_total').inc();
    this.#options.metrics?.gauge('headcount_connections').set(core.sessions.size);
    (socket as ClientSocket)[sessionOf] = admission.session;
    const listeners = this.#listeners;
    socket.on('data', listeners.data);
    socket.on('drain', listeners.drain);
    socket.on('close', listeners.close);
    this.#options.onActivity?.();
  }

  /**
   * The client's address, looked up only when a per-address limit needs it: `remoteAddress`
   * caches an object and a string on the socket (about 120 bytes per idle client, for good).
   */
  #addressOf(socket: net.Socket): string {
    return this.#options.core.limits.connectionsPerIpMax > 0 ? (socket.remoteAddress ?? '') : '';
  }

  #createListeners(): SocketListeners {
    const server = this;
    const clock = this.#options.clock;
    return {
      data(this: ClientSocket, chunk: Buffer) {
        const session = this[sessionOf]!;
        session.receive(chunk, clock.nowMs());
        server.#pump(session);
        server.#options.onActivity?.();
      },
      drain(this: ClientSocket) {
        const session = this[sessionOf]!;
        server.#stalledSinceMs.delete(session);
        server.#pump(session);
      },
      close(this: ClientSocket) {
        // Whatever ended it first (we did, with its reason; otherwise the peer) released it.
        server.#release(this[sessionOf]!, 'peer');
      },
    };
  }

  #refuse(socket: net.Socket, reason: AdmitRefusal | 'fd-limit'): void {
    this.#rejected(reason);
    const reply =
      reason === 'draining'
        ? closeReplies.draining
        : reason === 'fenced'
          ? closeReplies.leaseLost
          : errors.serverFull;
    this.#refuser.refuse(socket, `${reply}\n`);
  }

  #rejected(reason: AdmitRefusal | 'fd-limit'): void {
    this.#options.metrics?.counter('headcount_connections_rejected_total').inc({ reason });
  }

  #pump(session: Session): void {
    const socket = socketOf(session);
    if (socket.destroyed) return;
    this.#write(session);
    // Input held back while replies piled up is decoded later, as the socket takes the replies:
    // on 'drain' when the socket needs one, otherwise through the shared backlog queue.
    if (session.hasBacklog && !socket.writableNeedDrain) this.#queueBacklog(session);
    if (session.shouldClose) {
      // We are done with this client: it stops counting now, whatever its socket does next.
      this.#endAndRelease(session, session.closeReason ?? 'quit');
      return;
    }
    if (socket.readableEnded && session.pendingReplies === 0 && !session.hasBacklog) {
      this.#endAndRelease(session, 'peer');
      return;
    }
    // Only this adapter pauses a client socket, so the socket's own flag says whether we did.
    const full = !session.wantsInput() || socket.writableNeedDrain;
    const paused = socket.isPaused();
    if (full && !paused) socket.pause();
    else if (!full && paused) socket.resume();
  }

  /** Writes what the session owes; returns the bytes written. */
  #write(session: Session): number {
    const out = session.takeOutput();
    if (out === '') return 0;
    const flushed = socketOf(session).write(out);
    if (!flushed && !this.#stalledSinceMs.has(session))
      this.#stalledSinceMs.set(session, this.#options.clock.nowMs());
    return out.length;
  }

  /**
   * Clients whose input waits behind their own replies take turns, oldest first, under one
   * budget of reply bytes per event-loop turn. A thousand clients pipelining without reading
   * then cost the loop at most `backlogBytesPerTurn` of work before it polls sockets again, so
   * everyone else keeps being served (STYLE §5: the queue is bounded by the clients).
   */
  #queueBacklog(session: Session): void {
    this.#backlogged.add(session);
    if (this.#backlogScheduled) return;
    this.#backlogScheduled = true;
    setImmediate(() => this.#runBacklog());
  }

  #runBacklog(): void {
    this.#backlogScheduled = false;
    const batch = [...this.#backlogged];
    this.#backlogged.clear();
    let budget = backlogBytesPerTurn;
    for (const session of batch) {
      if (budget <= 0) {
        this.#backlogged.add(session);
        continue;
      }
      if (released(session) || socketOf(session).destroyed) continue;
      session.continueInput(this.#options.clock.nowMs());
      budget -= this.#write(session);
      this.#pump(session);
    }
    if (this.#backlogged.size > 0 && !this.#backlogScheduled) {
      this.#backlogScheduled = true;
      setImmediate(() => this.#runBacklog());
    }
  }

  /** A peer that never closes its side after our FIN is destroyed after this long. */
  static readonly lingerMs = 2_000;

  #endAndRelease(session: Session, reason: CloseReason): void {
    const socket = socketOf(session);
    socket.end();
    socket.setTimeout(TcpServer.lingerMs, () => socket.destroy());
    this.#release(session, reason);
  }

  /** Once per client, by whatever ends it first; a later call (its socket's 'close') does nothing. */
  #release(session: Session, reason: CloseReason): void {
    if (released(session)) return;
    this.#stalledSinceMs.delete(session);
    const { core, clock } = this.#options;
    core.release(session, reason, clock.nowMs());
    this.#options.logger.debug({ reason, clients: core.sessions.size }, 'client released');
    this.#options.metrics?.gauge('headcount_connections').set(core.sessions.size);
    this.#options.onActivity?.();
  }

  #destroy(session: Session, reason: CloseReason): void {
    this.#release(session, reason);
    socketOf(session).destroy();
  }

  #startSweep(): void {
    const { idleTimeoutMs, connectionAgeMsMax, writeStallMs } = this.#options.core.limits;
    const shortestMs = Math.min(...[idleTimeoutMs, connectionAgeMsMax, writeStallMs].filter((ms) => ms > 0));
    // Deadlines fire within a quarter of the shortest limit, never more often than every 10 ms.
    const resolutionMs = Math.max(10, Math.min(250, Math.floor(shortestMs / 4)));
    this.#sweepTimer = setInterval(() => this.#sweep(), resolutionMs);
    this.#sweepTimer.unref();
  }

  #stopSweep(): void {
    if (this.#sweepTimer !== undefined) clearInterval(this.#sweepTimer);
    this.#sweepTimer = undefined;
  }

  #sweep(): void {
    const nowMs = this.#options.clock.nowMs();
    const { writeStallMs } = this.#options.core.limits;
    // A Map may lose entries while it is iterated (a pump or a drop releases): no copies made.
    for (const session of this.#clients()) {
      const deadlineMs = session.nextDeadlineMs();
      if (deadlineMs !== undefined && deadlineMs <= nowMs) {
        session.onDeadline(nowMs);
        this.#pump(session);
      }
    }
    for (const [session, sinceMs] of this.#stalledSinceMs) {
      if (nowMs - sinceMs <= writeStallMs) continue;
      this.#options.logger.debug({ stalledMs: nowMs - sinceMs }, 'dropping a client that does not read');
      this.#destroy(session, 'error');
    }
  }
}
