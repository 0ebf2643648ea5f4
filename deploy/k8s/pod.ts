/**
 * What every headcount container shares: a locked-down security context, a writable /tmp (tsx
 * keeps its compile cache there; the root filesystem is read-only), the pod IP for the admin
 * address, and the descriptor budget the image's entrypoint sets `ulimit -n` to before it execs
 * node (ops/container/entrypoint.sh). Kubernetes has no per-pod rlimit setting; the entrypoint
 * fails the pod with a message when the runtime's hard limit is below the budget, rather than
 * let the server be capped quietly under --max-connections.
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { ITopologySpreadConstraint } from 'kubernetes-models/v1/TopologySpreadConstraint';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { fdReserve } from '../../impl/adapters/fd-limit.ts';
import { tokenSecretKey, tokenSecretName } from './names.ts';

/** The uid the image creates (ops/container/Containerfile); any non-root uid works. */
export const containerUid = 10001;

/** The environment variable ops/container/entrypoint.sh raises `ulimit -n` to. */
export const nofileEnv = 'HEADCOUNT_NOFILE';

/** Descriptors for `connectionCount` sockets plus what the server keeps for itself (fd-limit.ts). */
export function fdBudget(connectionCount: number): number {
  return connectionCount + fdReserve;
}

export const podSecurityContext: IPodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: containerUid,
  runAsGroup: containerUid,
  fsGroup: containerUid,
  seccompProfile: { type: 'RuntimeDefault' },
};

export const containerSecurityContext: IContainer['securityContext'] = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

export const tmpVolume: IVolume = { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } };
export const tmpMount: IVolumeMount = { name: 'tmp', mountPath: '/tmp' };

export const podIpEnv: IEnvVar = { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } };

export function nofileEnvVar(connectionCount: number): IEnvVar {
  return { name: nofileEnv, value: String(fdBudget(connectionCount)) };
}

/** A zone spread that still schedules on clusters whose nodes carry no zone label (kind, minikube). */
export function zoneSpread(matchLabels: Record<string, string>): ITopologySpreadConstraint[] {
  return [
    {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels },
    },
    {
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
      labelSelector: { matchLabels },
    },
  ];
}

/** Mode C's shared token, from the Secret the operator creates (never from a generated file). */
export const tokenEnv: IEnvVar = {
  name: 'HEADCOUNT_TOKEN',
  valueFrom: { secretKeyRef: { name: tokenSecretName, key: tokenSecretKey } },
};
