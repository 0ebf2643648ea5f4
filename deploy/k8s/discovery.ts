/**
 * Mode C's discovery: two instances spread over zones, an internal (headless) Service, a
 * PodDisruptionBudget, and the token from a Secret the operator creates.
 *
 * Why a StatefulSet and not a Deployment: each server registers with *every* instance and each
 * instance keeps its own membership, so every instance needs its own address. A Deployment behind
 * one Service would hand each registration to a random instance, and each would count a part of
 * the fleet. A StatefulSet's pods have stable names (headcount-discovery-0, -1) that the headless
 * Service resolves one by one; server.ts lists both.
 */
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service } from 'kubernetes-models/v1/Service';
import { discoveryOptionsSchema } from '../../impl/adapters/discovery/discovery-options.ts';
import { adminPortName, discoveryName, labelsOf, ports, selectorOf } from './names.ts';
import {
  containerSecurityContext,
  podIpEnv,
  podSecurityContext,
  tmpMount,
  tmpVolume,
  tokenEnv,
  zoneSpread,
} from './pod.ts';

/** The design's two instances: one can be down (a zone, a rollout) while WHO still answers. */
export const discoveryReplicas = 2;
/**
 * A restarted instance starts empty and learns the fleet from renewals, so a rollout waits one
 * full lease (plus slack) after it is ready before it restarts the other instance.
 */
/** The DNS name of every instance (pod name . headless Service): a server registers with each. */
export function discoveryUrls(): string[] {
  return Array.from(
    { length: discoveryReplicas },
    (_, ordinal) => `http://${discoveryName}-${ordinal}.${discoveryName}:${ports.discoveryApi}`,
  );
}

export function discoveryMinReadySeconds(leaseMs: number): number {
  return Math.ceil(leaseMs / 1000) + 2;
}

/** Discovery holds no clients, so its stop is short; this covers deregistration replies in flight. */
const discoveryGraceSeconds = 10;

export function discoveryStatefulSet(image: string): StatefulSet {
  return new StatefulSet({
    metadata: { name: discoveryName, labels: labelsOf('discovery') },
    spec: {
      serviceName: discoveryName,
      replicas: discoveryReplicas,
      podManagementPolicy: 'Parallel',
      minReadySeconds: discoveryMinReadySeconds(discoveryOptionsSchema.parse({ token: 'x' }).leaseMs),
      selector: { matchLabels: selectorOf('discovery') },
      template: {
        metadata: { labels: labelsOf('discovery') },
        spec: {
          securityContext: podSecurityContext,
          terminationGracePeriodSeconds: discoveryGraceSeconds,
          topologySpreadConstraints: zoneSpread(selectorOf('discovery')),
          volumes: [tmpVolume],
          containers: [
            {
              name: 'discovery',
              image,
              args: [
                'discovery',
                '--host=0.0.0.0',
                `--port=${ports.discoveryApi}`,
                '--admin-host=$(POD_IP)',
                `--admin-port=${ports.discoveryAdmin}`,
                // A server given fewer addresses (one balancer's in front of the pods) refuses to join.
                `--instances=${discoveryReplicas}`,
              ],
              env: [podIpEnv, tokenEnv],
              ports: [
                { name: 'api', containerPort: ports.discoveryApi, protocol: 'TCP' },
                { name: adminPortName, containerPort: ports.discoveryAdmin, protocol: 'TCP' },
              ],
              readinessProbe: { httpGet: { path: '/readyz', port: adminPortName }, periodSeconds: 2 },
              livenessProbe: {
                httpGet: { path: '/healthz', port: adminPortName },
                initialDelaySeconds: 10,
                periodSeconds: 10,
              },
              resources: { requests: { cpu: '250m', memory: '128Mi' }, limits: { memory: '256Mi' } },
              securityContext: containerSecurityContext,
              volumeMounts: [tmpMount],
            },
          ],
        },
      },
    },
  });
}

/** Headless and cluster-internal: servers reach each instance by its own DNS name. */
export function discoveryService(): Service {
  return new Service({
    metadata: { name: discoveryName, labels: labelsOf('discovery') },
    spec: {
      clusterIP: 'None',
      selector: selectorOf('discovery'),
      ports: [{ name: 'api', port: ports.discoveryApi, targetPort: 'api', protocol: 'TCP' }],
    },
  });
}

export function discoveryDisruptionBudget(): PodDisruptionBudget {
  return new PodDisruptionBudget({
    metadata: { name: discoveryName, labels: labelsOf('discovery') },
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorOf('discovery') } },
  });
}
