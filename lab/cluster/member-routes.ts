/**
 * Discovery's calls to the members' `/count`, one fault-proxy link per (instance, server) pair.
 *
 * A server advertises one count URL to every instance, so a proxy in front of that URL is shared
 * by all instances and cannot cut one instance off from one server, which a zone partition does
 * (discovery-0 in zone 0 loses server-1 in zone 1, while discovery-1 in zone 1 still reaches it).
 * So each in-process instance gets its own HTTP agent that sends a connection to a server's admin
 * port to that pair's proxy (`member{J}-s{N}`) instead; a port with no route is dialled as it is.
 *
 *   discovery J ──(agent J: admin port of N -> member{J}-s{N})──> proxy ──> server N's /count
 */
import http from 'node:http';
import net from 'node:net';
import { socketsPerMemberMax } from '../../impl/adapters/discovery/member-client.ts';

/** Destination port (a server's admin port) -> the pair's proxy port, for one instance. */
export type MemberRoutes = Map<number, number>;

/** A keep-alive agent, sized as the service's own, whose connections follow `routes`. */
export function routedMemberAgent(routes: ReadonlyMap<number, number>): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxSockets: socketsPerMemberMax });
  agent.createConnection = (options) => {
    const port = Number(options.port);
    return net.createConnection({ host: options.host ?? '127.0.0.1', port: routes.get(port) ?? port });
  };
  return agent;
}
