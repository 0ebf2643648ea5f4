/**
 * Monitoring for the Prometheus Operator: a PrometheusRule holding exactly the rules `headcount slo
 * rules` prints (defaults), a PodMonitor scraping every server and discovery pod's admin port, and
 * a ConfigMap with the dashboard `headcount slo dashboard` prints, labelled for Grafana's
 * dashboard sidecar. The rules and dashboard come from impl/observability, so they cannot drift.
 */
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { renderDashboardJson } from '../../impl/observability/dashboard.ts';
import { sloDefaults } from '../../impl/observability/slo-options.ts';
import { sloRules } from '../../impl/observability/slo-rules.ts';
import { adminPortName, appName, labelsOf } from './names.ts';

export function prometheusRule(): PrometheusRule {
  return new PrometheusRule({
    metadata: { name: `${appName}-slo`, labels: labelsOf('server') },
    // The model's types are mutable; the rule file's are read-only. The same data either way.
    spec: {
      groups: sloRules(sloDefaults).groups.map((group) => ({
        name: group.name,
        rules: group.rules.map((rule) => ({ ...rule })),
      })),
    },
  });
}

export function podMonitor(): PodMonitor {
  return new PodMonitor({
    metadata: { name: appName, labels: labelsOf('server') },
    spec: {
      selector: {
        matchLabels: { 'app.kubernetes.io/name': appName },
        matchExpressions: [
          { key: 'app.kubernetes.io/component', operator: 'In', values: ['server', 'discovery'] },
        ],
      },
      podMetricsEndpoints: [{ port: adminPortName, path: '/metrics', interval: '15s' }],
    },
  });
}

export function dashboardConfigMap(): ConfigMap {
  return new ConfigMap({
    metadata: {
      name: `${appName}-dashboard`,
      labels: { ...labelsOf('server'), grafana_dashboard: '1' },
    },
    data: { 'headcount-dashboard.json': renderDashboardJson() },
  });
}
