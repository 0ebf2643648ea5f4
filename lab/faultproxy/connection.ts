/**
 * One client connection through a proxy: the accepted socket, the socket dialled to the upstream,
 * and the two links between them. The client is paused until the upstream answers; if the dial
 * fails the client is closed, as Toxiproxy does. The connection is over when both sockets have
 * closed; then every toxic on it is stopped so no timer outlives it.
 */
import { connect, type Socket } from 'node:net';
import type { HostPort } from './address.ts';
import type { ToxicEntry, Direction } from './toxic-entry.ts';
import { type LinkHooks, ToxicLink } from './toxic-link.ts';

export interface ConnectionContext {
  readonly upstream: HostPort;
  chain(direction: Direction): readonly ToxicEntry[];
  hooks(direction: Direction): LinkHooks;
  onClosed(connection: Connection): void;
}

export class Connection {
  private target: Socket | undefined;
  private readonly links = new Map<Direction, ToxicLink>();
  private openSockets = 0;

  constructor(
    private readonly client: Socket,
    private readonly context: ConnectionContext,
  ) {
    client.pause();
    client.setNoDelay(true);
    this.track(client);
    const target = connect({
      host: context.upstream.host ?? 'localhost',
      port: context.upstream.port,
      allowHalfOpen: true,
      noDelay: true,
    });
    this.target = target;
    this.track(target);
    target.once('connect', () => this.attach(target));
    target.once('error', () => client.destroy());
  }

  link(direction: Direction): ToxicLink | undefined {
    return this.links.get(direction);
  }

  /** Closes both sockets now (proxy disabled or deleted). */
  destroy(): void {
    this.client.destroy();
    this.target?.destroy();
  }

  private attach(target: Socket): void {
    if (this.client.destroyed) {
      target.destroy();
      return;
    }
    const reset = (): void => {
      this.client.resetAndDestroy();
      target.resetAndDestroy();
    };
    const c = this.context;
    this.links.set(
      'upstream',
      new ToxicLink(this.client, target, c.chain('upstream'), c.hooks('upstream'), reset),
    );
    this.links.set(
      'downstream',
      new ToxicLink(target, this.client, c.chain('downstream'), c.hooks('downstream'), reset),
    );
    this.client.resume();
  }

  private track(socket: Socket): void {
    this.openSockets += 1;
    socket.on('error', () => {});
    socket.once('close', () => {
      this.openSockets -= 1;
      if (this.openSockets > 0) return;
      for (const link of this.links.values()) link.destroy();
      this.context.onClosed(this);
    });
  }
}
