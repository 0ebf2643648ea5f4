/**
 * The shared volume a Job's pods write their parts to and its merge step reads. It must be
 * ReadWriteMany (NFS, EFS, Filestore, CephFS...), since the pods of one Job land on many nodes.
 */
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { type Component, labelsOf } from './names.ts';

export const resultsMountPath = '/results';

export function resultsClaim(name: string, component: Component): PersistentVolumeClaim {
  return new PersistentVolumeClaim({
    metadata: { name, labels: labelsOf(component) },
    spec: { accessModes: ['ReadWriteMany'], resources: { requests: { storage: '1Gi' } } },
  });
}

export function resultsVolume(claimName: string): IVolume {
  return { name: 'results', persistentVolumeClaim: { claimName } };
}

export const resultsMount: IVolumeMount = { name: 'results', mountPath: resultsMountPath };

/**
 * A POSIX sh script that waits until every path exists, then execs the command: the merge Job is
 * applied with the parts' Job and starts when they are done. Its Job's activeDeadlineSeconds
 * bounds the wait.
 */
export function waitThenExec(paths: readonly string[], command: readonly string[]): string {
  const tests = paths.map((path) => `[ -e ${path} ]`).join(' && ');
  return [
    'set -eu',
    `until ${tests}; do echo "waiting for ${paths.length} parts"; sleep 10; done`,
    `exec ${command.join(' ')}`,
  ].join('\n');
}
