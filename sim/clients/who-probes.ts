/**
 * WHO probes: a Poisson stream of `WHO\n` requests, each from a random connected client through
 * its real Session, recorded in the history with the answer (or the timeout) the client saw.
 */
import type { WorkloadConfig } from '../../experiment/config.ts';
import type { History, WhoRecord } from '../../experiment/history.ts';
import type { SimRandom } from '../../experiment/rng.ts';
import type { SimNetwork } from '../network.ts';
import type { Scheduler } from '../scheduler.ts';
import type { SimClient, SimServer } from '../server-node.ts';
import type { Session } from '../../impl/core/session.ts';

const whoBytes = Buffer.from('WHO\n');

/** What a probe needs from the clients: who is connected, and what to do after the request lands. */
export interface ProbeClients {
  readonly connected: readonly SimClient[];
  onOutput(server: SimServer, session: Session): void;
  scheduleDeparture(client: SimClient, nowMs: number): void;
}

export class WhoProbes {
  #workload: WorkloadConfig;
  #durationMs: number;
  #scheduler: Scheduler;
  #network: SimNetwork;
  #history: History;
  #random: SimRandom;
  #clients: ProbeClients;

  constructor(
    workload: WorkloadConfig,
    durationMs: number,
    scheduler: Scheduler,
    network: SimNetwork,
    history: History,
    random: SimRandom,
    clients: ProbeClients,
  ) {
    this.#workload = workload;
    this.#durationMs = durationMs;
    this.#scheduler = scheduler;
    this.#network = network;
    this.#history = history;
    this.#random = random;
    this.#clients = clients;
  }

  schedule(nowMs: number): void {
    const ratePerSec = this.#workload.whoRatePerSec;
    if (ratePerSec <= 0) return;
    const atMs = nowMs + this.#random.exponential(1000 / ratePerSec);
    if (atMs > this.#durationMs) return;
    this.#scheduler.at(atMs, (askedAtMs) => {
      this.#probe(askedAtMs);
      this.schedule(askedAtMs);
    });
  }

  /** A reply line reached the client: it answers the WHO record at `recordIndex`. */
  reply(server: SimServer, recordIndex: number, line: string): void {
    const backMs = this.#network.delayMs(server.index, 'clients', 'outbound');
    if (backMs < 0) return;
    this.#scheduler.after(backMs, (nowMs) => {
      const record = this.#history.who[recordIndex]!;
      if (record.outcome !== 'timeout' || nowMs > record.answeredAtMs) return; // gone, or gave up
      record.answeredAtMs = nowMs;
      if (/^\d+$/.test(line)) {
        record.outcome = 'count';
        record.value = Number(line);
      } else record.outcome = 'unavailable';
    });
  }

  /**
   * The connection ended: WHOs still awaiting an answer are abandoned, and so are those the
   * network lost on it (a real client stops waiting for an answer on a closed connection).
   */
  abandon(client: SimClient, nowMs: number): void {
    for (const recordIndex of [...client.pending, ...client.lost]) {
      const record = this.#history.who[recordIndex]!;
      if (record.outcome === 'timeout' && record.answeredAtMs > nowMs) record.outcome = 'abandoned';
    }
    client.pending = [];
    client.lost = [];
  }

  #probe(askedAtMs: number): void {
    const connected = this.#clients.connected;
    if (connected.length === 0) return;
    const client = connected[this.#random.intInclusive(connected.length - 1)]!;
    const server = client.server!;
    const session = client.session!;
    const record: WhoRecord = {
      askedAtMs,
      answeredAtMs: askedAtMs + this.#workload.whoTimeoutMs,
      outcome: 'timeout',
      value: -1,
      serverIndex: server.index,
    };
    const outMs = this.#network.delayMs(server.index, 'clients', 'inbound', client.stalled);
    this.#history.who.push(record);
    // A request lost on the way never gets a reply: it must not take the next reply's place in
    // the client's FIFO of awaited answers (that made later answered WHOs look like timeouts).
    if (outMs < 0) {
      client.lost.push(this.#history.who.length - 1);
      return;
    }
    client.pending.push(this.#history.who.length - 1);
    const epoch = server.epoch;
    this.#scheduler.after(outMs, (nowMs) => {
      if (server.epoch !== epoch || client.session !== session || session.state !== 'open') return;
      session.receive(whoBytes, server.localNowMs(nowMs));
      this.#clients.onOutput(server, session);
      this.#clients.scheduleDeparture(client, nowMs); // the idle deadline moved
    });
  }
}
