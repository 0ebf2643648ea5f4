/**
 * Validates plain manifest objects (parsed YAML, or `kubectl kustomize` output) against the
 * Kubernetes and Prometheus Operator schemas that ship with kubernetes-models, by kind.
 */
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';

// biome-ignore lint/suspicious/noExplicitAny: each model takes its own data shape; we hand it parsed YAML.
type AnyModel = new (data?: any) => { validate(): void };

const modelsByKind: Record<string, AnyModel> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'v1/Service': Service,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': PrometheusRule,
};

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  // biome-ignore lint/suspicious/noExplicitAny: tests walk into specs freely.
  spec?: any;
  data?: Record<string, string>;
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

/** Throws with the schema's message when the manifest is invalid or of a kind we did not expect. */
export function validateManifest(manifest: Manifest): void {
  const { apiVersion, kind, ...data } = manifest;
  const Model = modelsByKind[`${apiVersion}/${kind}`];
  if (Model === undefined) throw new Error(`no schema for ${apiVersion} ${kind}`);
  new Model(data).validate();
}
