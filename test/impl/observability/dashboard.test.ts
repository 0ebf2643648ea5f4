/**
 * The Grafana dashboard is well formed: panels do not overlap, every query is valid PromQL (checked
 * by `promtool check rules` on a throw-away rule file holding each query), and the copy checked in
 * under `ops/` is what the generator prints today.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { headcountDashboard, renderDashboardJson } from '../../../impl/observability/dashboard.ts';
import { dashboardExpressions } from '../../../impl/observability/grafana-model.ts';
import { parseSloOptions } from '../../../impl/observability/slo-options.ts';
import { renderRulesYaml } from '../../../impl/observability/slo-rules.ts';
import { runPromtool } from './promtool.ts';

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { expr: string }[];
}

const panels = (headcountDashboard() as unknown as { panels: Panel[] }).panels;

function overlaps(a: Panel['gridPos'], b: Panel['gridPos']): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe('dashboard: layout', () => {
  test('panel ids are unique', () => {
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
  });

  test('no two panels overlap and every panel fits in the 24-unit grid', () => {
    for (const [index, panel] of panels.entries()) {
      expect(panel.gridPos.x + panel.gridPos.w).toBeLessThanOrEqual(24);
      for (const other of panels.slice(index + 1))
        expect(overlaps(panel.gridPos, other.gridPos), `${panel.title} / ${other.title}`).toBe(false);
    }
  });

  test('every panel that is not a row has at least one query', () => {
    for (const panel of panels.filter((candidate) => candidate.type !== 'row')) {
      expect(panel.targets?.length ?? 0, panel.title).toBeGreaterThan(0);
    }
  });

  test('the golden signals come first: traffic, errors, latency, saturation', () => {
    const titles = panels.map((panel) => panel.title);
    expect(titles.slice(0, 5)).toEqual([
      'Golden signals',
      'Traffic: commands/s',
      'Errors/s',
      'Latency p50 / p99',
      'Saturation',
    ]);
  });
});

describe('dashboard: queries', () => {
  test('every query parses as PromQL once Grafana variables are substituted', () => {
    const rules = dashboardExpressions(headcountDashboard()).map((expr, index) => ({
      record: `dashboard:query_${index}`,
      expr: expr.replaceAll('$__rate_interval', '1m').replaceAll('$instance', '.*'),
    }));
    const run = runPromtool(['check', 'rules', 'queries.yaml'], {
      'queries.yaml': stringify({ groups: [{ name: 'dashboard', rules }] }),
    });
    expect(run.status, run.output).toBe(0);
  });
});

describe('ops: checked-in copies', () => {
  test('ops/grafana/headcount-dashboard.json is what `headcount slo dashboard` prints', () => {
    expect(readFileSync('ops/grafana/headcount-dashboard.json', 'utf8')).toBe(renderDashboardJson());
  });

  test('ops/prometheus/headcount-slo.rules.yaml is what `headcount slo rules` prints by default', () => {
    const options = parseSloOptions({});
    if (!options.ok) throw new Error('the default SLO options are invalid');
    expect(readFileSync('ops/prometheus/headcount-slo.rules.yaml', 'utf8')).toBe(
      renderRulesYaml(options.value),
    );
  });
});
