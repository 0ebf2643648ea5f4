/**
 * A test-only fleet on virtual time: several `ModeABackend`s, each with its own (possibly
 * skewed) clock, and one registry that follows `effects.ts` to the letter on the "Redis clock"
 * (the true virtual time). Effects take `latencyMs` each way; a server can be crashed (it goes
 * silent, its entry stays until the TTL) or stopped gracefully. Loops are bounded by `stepsMax`.
 */
import type { WhoReply } from '../../../../impl/core/counting-backend.ts';
import type { ModeAEffect, ModeAResult } from '../../../../impl/core/mode-a/effects.ts';
import { ModeABackend } from '../../../../impl/core/mode-a/mode-a-backend.ts';
import type { ModeAOptions } from '../../../../impl/core/mode-a/options.ts';

export class Registry {
  entries = new Map<string, { count: number; expiresAtMs: number }>();
  down = false;

  apply(effect: ModeAEffect, redisNowMs: number): ModeAResult {
    if (this.down)
      return { ok: false, error: { code: 'HC_KV_UNAVAILABLE', definite: true, message: 'down' } };
    switch (effect.kind) {
      case 'kv.publish':
        this.entries.set(effect.serverId, { count: effect.count, expiresAtMs: redisNowMs + effect.ttlMs });
        return { ok: true, value: undefined };
      case 'kv.remove':
        this.entries.delete(effect.serverId);
        return { ok: true, value: undefined };
      case 'kv.total': {
        let total = 0;
        let servers = 0;
        for (const { count, expiresAtMs } of this.entries.values()) {
          if (redisNowMs < expiresAtMs) {
            total += count;
            servers += 1;
          }
        }
        return { ok: true, value: { total, servers } };
      }
    }
  }
}

interface Node {
  backend: ModeABackend;
  skewMs: number;
  count: number;
  alive: boolean;
}

interface Event {
  atMs: number;
  seq: number;
  run: () => void;
}

export class Fleet {
  nowMs = 0;
  readonly registry = new Registry();
  readonly nodes: Node[] = [];
  latencyMs: number;
  #events: Event[] = [];
  #seq = 0;
  #steps = 0;
  readonly stepsMax = 2_000_000;

  constructor(latencyMs = 1) {
    this.latencyMs = latencyMs;
  }

  add(options: ModeAOptions, skewMs = 0): number {
    const index = this.nodes.length;
    const backend = new ModeABackend(`s${index}`, options);
    this.nodes.push({ backend, skewMs, count: 0, alive: true });
    backend.onLocalCount(0, this.nowMs + skewMs);
    this.#pump(index);
    return index;
  }

  setCount(index: number, count: number): void {
    const node = this.nodes[index]!;
    if (!node.alive) return;
    node.count = count;
    node.backend.onLocalCount(count, this.nowMs + node.skewMs);
    this.#pump(index);
  }

  crash(index: number): void {
    this.nodes[index]!.alive = false;
  }

  stop(index: number): void {
    const node = this.nodes[index]!;
    node.backend.stop(this.nowMs + node.skewMs);
    this.#pump(index);
  }

  /** Ask WHO on a server; the reply arrives as the fleet runs. */
  who(index: number): { reply: WhoReply | undefined } {
    const node = this.nodes[index]!;
    const box: { reply: WhoReply | undefined } = { reply: undefined };
    node.backend.who(this.nowMs + node.skewMs, (reply) => {
      box.reply = reply;
    });
    this.#pump(index);
    return box;
  }

  /** The truth: clients on servers that are still up and not stopped. */
  truth(): number {
    return this.nodes.reduce(
      (sum, node) => sum + (node.alive && node.backend.publisher.state === 'running' ? node.count : 0),
      0,
    );
  }

  runFor(durationMs: number): void {
    const untilMs = this.nowMs + durationMs;
    for (;;) {
      this.#steps += 1;
      if (this.#steps > this.stepsMax) throw new Error('stepsMax exceeded');
      this.#events.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
      const next = this.#events[0];
      const deadline = this.#nextDeadline();
      const atMs = Math.min(
        next?.atMs ?? Number.POSITIVE_INFINITY,
        deadline?.atMs ?? Number.POSITIVE_INFINITY,
      );
      if (atMs > untilMs) break;
      this.nowMs = Math.max(this.nowMs, atMs);
      if (next !== undefined && next.atMs === atMs) {
        this.#events.shift();
        next.run();
      } else if (deadline !== undefined) {
        const node = this.nodes[deadline.index]!;
        node.backend.onDeadline(this.nowMs + node.skewMs);
        this.#pump(deadline.index);
      }
    }
    this.nowMs = untilMs;
  }

  #nextDeadline(): { atMs: number; index: number } | undefined {
    let best: { atMs: number; index: number } | undefined;
    this.nodes.forEach((node, index) => {
      if (!node.alive) return;
      const localMs = node.backend.nextDeadlineMs();
      if (localMs === undefined) return;
      const atMs = Math.max(this.nowMs, localMs - node.skewMs);
      if (best === undefined || atMs < best.atMs) best = { atMs, index };
    });
    return best;
  }

  #at(atMs: number, run: () => void): void {
    this.#seq += 1;
    this.#events.push({ atMs, seq: this.#seq, run });
  }

  #pump(index: number): void {
    const node = this.nodes[index]!;
    for (const effect of node.backend.takeEffects()) {
      this.#at(this.nowMs + this.latencyMs, () => {
        if (!node.alive) return;
        const result = this.registry.apply(effect, this.nowMs);
        this.#at(this.nowMs + this.latencyMs, () => {
          if (!node.alive) return;
          node.backend.onResult(effect.opId, result, this.nowMs + node.skewMs);
          this.#pump(index);
        });
      });
    }
  }
}
