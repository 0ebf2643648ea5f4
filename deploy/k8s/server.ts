/**
 * The server: a Deployment, its PodDisruptionBudget and a TCP LoadBalancer Service. Everything
 * that matters to a rollout is derived from the flags the pods run with:
 *
 *   SIGTERM ──► preStop sleep ──► drain (--drain-ms) ──► settle ──► exit
 *               |  the endpoint   |  open clients get    |  deregister from
 *               |  leaves the LB  |  BYE and time to go  |  Redis / discovery
 *               └────────────── terminationGracePeriodSeconds (above all three) ──┘
 *
 * Rollouts surge one pod and never take one away before its replacement is ready (maxUnavailable
 * 0), and /readyz turns false the moment draining starts, so no client is sent to a closing pod.
 */
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { stopMsMax } from '../../impl/adapters/server.ts';
import type { DeployK8sOptions } from './options.ts';
import { discoveryUrls } from './discovery.ts';
import { adminPortName, labelsOf, ports, selectorOf, serverName } from './names.ts';
import {
  containerSecurityContext,
  nofileEnvVar,
  podIpEnv,
  podSecurityContext,
  tmpMount,
  tmpVolume,
  tokenEnv,
  zoneSpread,
} from './pod.ts';

/** Time for the endpoint's removal to reach kube-proxy and the cloud load balancer before draining. */
export const preStopSleepSeconds = 5;
/** Slack past the worst-case stop, for a slow node; a kill at the deadline would cut clients. */
const graceMarginSeconds = 5;

/**
 * A starting point for the memory request: Node and the code take about 64 MiB; each held client
 * adds its socket object, decoder and reply buffers. Replace it with the figure the capacity
 * scenario measures on your nodes (`headcount scenario scenarios/capacity.yaml --engine real`).
 */
const baseMemoryMiB = 64;
const memoryKiBPerConnection = 8;

export function terminationGraceSeconds(drainMs: number): number {
  return preStopSleepSeconds + Math.ceil(stopMsMax(drainMs) / 1000) + graceMarginSeconds;
}

export function memoryRequestMiB(maxConnections: number): number {
  return baseMemoryMiB + Math.ceil((maxConnections * memoryKiBPerConnection) / 1024);
}

function serveArgs(options: DeployK8sOptions, mode: 'a' | 'c'): string[] {
  const common = [
    'serve',
    '--host=0.0.0.0',
    `--port=${ports.client}`,
    // The pod IP, not 0.0.0.0: mode C registers this address with discovery as its /count URL.
    '--admin-host=$(POD_IP)',
    `--admin-port=${ports.serverAdmin}`,
    `--max-connections=${options.maxConnections}`,
    `--drain-ms=${options.drainMs}`,
    `--mode=${mode}`,
  ];
  return mode === 'a'
    ? [...common, `--redis=${options.redis}`]
    : [...common, `--discovery=${discoveryUrls().join(',')}`];
}

export function serverDeployment(options: DeployK8sOptions, mode: 'a' | 'c'): Deployment {
  const memoryMiB = memoryRequestMiB(options.maxConnections);
  return new Deployment({
    metadata: { name: serverName, labels: labelsOf('server') },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: selectorOf('server') },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      minReadySeconds: 5,
      template: {
        metadata: { labels: labelsOf('server') },
        spec: {
          securityContext: podSecurityContext,
          terminationGracePeriodSeconds: terminationGraceSeconds(options.drainMs),
          topologySpreadConstraints: zoneSpread(selectorOf('server')),
          volumes: [tmpVolume],
          containers: [
            {
              name: 'headcount',
              image: options.image,
              args: serveArgs(options, mode),
              env: [podIpEnv, nofileEnvVar(options.maxConnections), ...(mode === 'c' ? [tokenEnv] : [])],
              ports: [
                { name: 'client', containerPort: ports.client, protocol: 'TCP' },
                { name: adminPortName, containerPort: ports.serverAdmin, protocol: 'TCP' },
              ],
              readinessProbe: {
                httpGet: { path: '/readyz', port: adminPortName },
                periodSeconds: 2,
                failureThreshold: 2,
              },
              livenessProbe: {
                httpGet: { path: '/healthz', port: adminPortName },
                initialDelaySeconds: 10,
                periodSeconds: 10,
                failureThreshold: 3,
              },
              lifecycle: { preStop: { exec: { command: ['sleep', String(preStopSleepSeconds)] } } },
              resources: {
                requests: { cpu: '500m', memory: `${memoryMiB}Mi` },
                limits: { memory: `${memoryMiB * 2}Mi` },
              },
              securityContext: containerSecurityContext,
              volumeMounts: [tmpMount],
            },
          ],
        },
      },
    },
  });
}

export function serverDisruptionBudget(): PodDisruptionBudget {
  return new PodDisruptionBudget({
    metadata: { name: serverName, labels: labelsOf('server') },
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorOf('server') } },
  });
}

export function serverService(): Service {
  return new Service({
    metadata: { name: serverName, labels: labelsOf('server') },
    spec: {
      type: 'LoadBalancer',
      // Local keeps the client's address (for --max-connections-per-ip) and skips a second hop.
      externalTrafficPolicy: 'Local',
      selector: selectorOf('server'),
      ports: [{ name: 'client', port: ports.client, targetPort: 'client', protocol: 'TCP' }],
    },
  });
}
