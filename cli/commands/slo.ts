/**
 * `headcount slo rules` prints Prometheus recording and alerting rules for the availability and
 * latency SLOs; `headcount slo dashboard` prints the Grafana dashboard. Both are generated from
 * the metric names the service exports (`impl/observability/`), so they cannot drift from it.
 */
import type { Command } from 'commander';
import { failUsage } from '../../impl/config/usage-error.ts';

const optionFlags = {
  availabilityObjectivePercent: '--objective',
  latencyThresholdMs: '--latency-ms',
  latencyObjectivePercent: '--latency-objective',
  windowDays: '--window-days',
} as const;

interface RulesFlags {
  objective: string;
  latencyMs: string;
  latencyObjective: string;
  windowDays: string;
}

export function register(program: Command): void {
  const slo = program
    .command('slo')
    .description('Generate SLO rules and dashboards for Prometheus and Grafana.');
  slo
    .command('rules')
    .description('Print Prometheus recording and multi-window burn-rate alerting rules (YAML).')
    .option('--objective <percent>', 'availability objective: good WHO/commands over all', '99.95')
    .option('--latency-ms <ms>', 'latency threshold; must be a histogram bucket boundary', '50')
    .option('--latency-objective <percent>', 'share of commands answered within --latency-ms', '99')
    .option('--window-days <days>', 'SLO window; burn rates are relative to it', '30')
    .action(async (flags: RulesFlags) => {
      const { parseSloOptions } = await import('../../impl/observability/slo-options.ts');
      const { renderRulesYaml } = await import('../../impl/observability/slo-rules.ts');
      const parsed = parseSloOptions({
        availabilityObjectivePercent: Number(flags.objective),
        latencyThresholdMs: Number(flags.latencyMs),
        latencyObjectivePercent: Number(flags.latencyObjective),
        windowDays: Number(flags.windowDays),
      });
      if (!parsed.ok) {
        failUsage(
          'slo rules',
          parsed.error.map((problem) => ({ flag: optionFlags[problem.field], message: problem.message })),
        );
      }
      process.stdout.write(renderRulesYaml(parsed.value));
    });
  slo
    .command('dashboard')
    .description('Print the Grafana dashboard JSON (golden signals, staleness, WHO sources, error budget).')
    .action(async () => {
      const { renderDashboardJson } = await import('../../impl/observability/dashboard.ts');
      process.stdout.write(renderDashboardJson());
    });
}
