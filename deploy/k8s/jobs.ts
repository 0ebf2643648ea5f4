/**
 * Scale-out on Kubernetes: a sweep and a load test split over the pods of an Indexed Job, each
 * writing its part to a shared volume, and a second Job that waits for every part and merges it.
 *
 *   sweep:  pod i: headcount scenario FILE --seed S      (shard i+1/N from JOB_COMPLETION_INDEX
 *                  --out /results/sweep/shard-i           and HEADCOUNT_SHARD_COUNT)
 *           merge: headcount report shard-0 ... shard-(N-1) --out /results/sweep/report
 *   load:   pod i: headcount load --target headcount:7000 --connections C/K
 *                  --json /results/load/part-i.json
 *           merge: headcount load merge part-0.json ... --json /results/load/merged.json
 *
 * A shard that exits 1 (an expectation failed) has written its results, and rerunning it with the
 * same seed gives the same bytes, so that index fails without a retry (podFailurePolicy
 * FailIndex) while the others go on; a lost node is not counted as a failure.
 */
import { Job } from 'kubernetes-models/batch/v1/Job';
import type { IEnvVar } from 'kubernetes-models/v1/EnvVar';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import { shardCountEnv } from '../../scenarios/runner/shard.ts';
import type { DeployK8sOptions } from './options.ts';
import { type Component, labelsOf, ports, serverName } from './names.ts';
import { memoryRequestMiB } from './server.ts';
import { containerSecurityContext, nofileEnvVar, podSecurityContext, tmpMount, tmpVolume } from './pod.ts';
import {
  resultsClaim,
  resultsMount,
  resultsMountPath,
  resultsVolume,
  waitThenExec,
} from './results-volume.ts';

/** A sweep or load test still running after a day has gone wrong; the merge waits no longer either. */
const jobDeadlineSeconds = 86_400;
/** Finished Jobs stay a week so their logs and status can be read, then Kubernetes removes them. */
const jobTtlSeconds = 7 * 86_400;
/** The image's entrypoint (ops/container/entrypoint.sh) and how it starts the CLI. */
const headcountCommand = ['node', '/app/bin/headcount.js'];

export const sweepClaimName = 'headcount-sweep-results';
export const loadClaimName = 'headcount-load-results';

interface IndexedJobSpec {
  name: string;
  component: Component;
  claimName: string;
  completions: number;
  image: string;
  args: string[];
  env: IEnvVar[];
  resources: IResourceRequirements;
}

/** A simulated sweep shard uses a core per worker thread; the requests keep shards off one node. */
const sweepResources: IResourceRequirements = { requests: { cpu: '1', memory: '512Mi' } };
/** Merging reads JSON and draws charts: small and short. */
const mergeResources: IResourceRequirements = { requests: { cpu: '250m', memory: '256Mi' } };

function indexedJob(spec: IndexedJobSpec): Job {
  return new Job({
    metadata: { name: spec.name, labels: labelsOf(spec.component) },
    spec: {
      completionMode: 'Indexed',
      completions: spec.completions,
      parallelism: spec.completions,
      backoffLimitPerIndex: 1,
      activeDeadlineSeconds: jobDeadlineSeconds,
      ttlSecondsAfterFinished: jobTtlSeconds,
      podFailurePolicy: {
        rules: [
          { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
          {
            action: 'FailIndex',
            onExitCodes: { containerName: 'headcount', operator: 'In', values: [1, 2] },
          },
        ],
      },
      template: {
        metadata: { labels: labelsOf(spec.component) },
        spec: {
          restartPolicy: 'Never',
          securityContext: podSecurityContext,
          volumes: [tmpVolume, resultsVolume(spec.claimName)],
          containers: [
            {
              name: 'headcount',
              image: spec.image,
              args: spec.args,
              env: spec.env,
              resources: spec.resources,
              securityContext: containerSecurityContext,
              volumeMounts: [tmpMount, resultsMount],
            },
          ],
        },
      },
    },
  });
}

function mergeJob(name: string, component: Component, claimName: string, image: string, script: string): Job {
  return new Job({
    metadata: { name, labels: labelsOf(component) },
    spec: {
      backoffLimit: 2,
      activeDeadlineSeconds: jobDeadlineSeconds,
      ttlSecondsAfterFinished: jobTtlSeconds,
      template: {
        metadata: { labels: labelsOf(component) },
        spec: {
          restartPolicy: 'Never',
          securityContext: podSecurityContext,
          volumes: [tmpVolume, resultsVolume(claimName)],
          containers: [
            {
              name: 'merge',
              image,
              command: ['/bin/sh', '-c', script],
              resources: mergeResources,
              securityContext: containerSecurityContext,
              volumeMounts: [tmpMount, resultsMount],
            },
          ],
        },
      },
    },
  });
}

export function sweepObjects(options: DeployK8sOptions) {
  const dir = `${resultsMountPath}/sweep`;
  const shardDirs = Array.from({ length: options.shards }, (_, index) => `${dir}/shard-${index}`);
  const job = indexedJob({
    name: 'headcount-sweep',
    component: 'sweep',
    claimName: sweepClaimName,
    completions: options.shards,
    image: options.image,
    args: [
      'scenario',
      options.sweepFile,
      `--seed=${options.seed}`,
      '--no-report',
      `--out=${dir}/shard-$(JOB_COMPLETION_INDEX)`,
    ],
    env: [{ name: shardCountEnv, value: String(options.shards) }],
    resources: sweepResources,
  });
  const report = mergeJob(
    'headcount-sweep-report',
    'sweep',
    sweepClaimName,
    options.image,
    waitThenExec(
      shardDirs.map((shard) => `${shard}/results.json`),
      [...headcountCommand, 'report', ...shardDirs, `--out=${dir}/report`],
    ),
  );
  return {
    claim: resultsClaim(sweepClaimName, 'sweep'),
    job,
    merge: report,
  };
}

export function loadObjects(options: DeployK8sOptions) {
  const dir = `${resultsMountPath}/load`;
  const perPod = options.loadConnections / options.loadPods;
  const parts = Array.from({ length: options.loadPods }, (_, index) => `${dir}/part-${index}.json`);
  const job = indexedJob({
    name: 'headcount-load',
    component: 'load',
    claimName: loadClaimName,
    completions: options.loadPods,
    image: options.image,
    args: [
      'load',
      `--target=${serverName}:${ports.client}`,
      `--connections=${perPod}`,
      `--duration-ms=${options.loadDurationMs}`,
      '--check',
      `--json=${dir}/part-$(JOB_COMPLETION_INDEX).json`,
    ],
    env: [nofileEnvVar(perPod)],
    // The driver holds its connections as the server does; the same estimate sizes its memory.
    resources: { requests: { cpu: '1', memory: `${memoryRequestMiB(perPod)}Mi` } },
  });
  const merge = mergeJob(
    'headcount-load-merge',
    'load',
    loadClaimName,
    options.image,
    waitThenExec(parts, [...headcountCommand, 'load', 'merge', ...parts, `--json=${dir}/merged.json`]),
  );
  return { claim: resultsClaim(loadClaimName, 'load'), job, merge };
}
