/**
 * The small slice of Grafana's dashboard JSON model that headcount's dashboard uses: rows of
 * time-series and stat panels over one Prometheus data source, laid out two to a row. Panels are
 * described as data (title, unit, queries) and `layoutDashboard` turns them into the JSON Grafana
 * imports, assigning ids and grid positions so no one edits coordinates by hand.
 */
import { eventLoopLag } from './metric-names.ts';

/** Grafana's grid is 24 units wide; two panels side by side, 8 units (~240 px) tall. */
const gridWidth = 24;
const panelWidth = 12;
const panelHeight = 8;

export interface Query {
  readonly expr: string;
  /** Legend template, e.g. `{{command}}`. */
  readonly legend: string;
}

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly kind: 'timeseries' | 'stat';
  /** Grafana unit id: `reqps`, `s`, `percentunit`, `short`, `bytes`. */
  readonly unit: string;
  readonly queries: readonly Query[];
  readonly stacked?: boolean;
}

export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a JS template.
export const datasource = Object.freeze({ type: 'prometheus', uid: '${datasource}' });

/** A JSON object; the model is written as literals, and `JSON.stringify` is the only reader. */
export type Json = { readonly [key: string]: unknown };

function panelJson(spec: PanelSpec, id: number, x: number, y: number): Json {
  const custom = spec.stacked ? { stacking: { mode: 'normal', group: 'A' }, fillOpacity: 20 } : {};
  return {
    id,
    type: spec.kind,
    title: spec.title,
    description: spec.description,
    datasource,
    gridPos: { x, y, w: panelWidth, h: panelHeight },
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        ...(spec.kind === 'timeseries' ? { custom } : {}),
        ...(spec.kind === 'stat' ? statThresholds() : {}),
      },
      overrides: [],
    },
    options:
      spec.kind === 'stat'
        ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'background' }
        : {
            legend: { displayMode: 'table', placement: 'bottom', calcs: ['mean', 'max'] },
            tooltip: { mode: 'multi' },
          },
    targets: spec.queries.map((query, index) => ({
      refId: String.fromCharCode(65 + index),
      datasource,
      expr: query.expr,
      legendFormat: query.legend,
    })),
  };
}

/** A stat of "budget remaining": red once spent, amber under a quarter left. */
function statThresholds(): Json {
  return {
    thresholds: {
      mode: 'absolute',
      steps: [
        { color: 'red', value: null },
        { color: 'orange', value: 0 },
        { color: 'green', value: 0.25 },
      ],
    },
  };
}

/**
 * Lists instances from a metric that servers and the discovery service both export, so the
 * picker shows the whole fleet.
 */
const instanceSource = eventLoopLag.name;

export function layoutDashboard(title: string, uid: string, rows: readonly RowSpec[]): Json {
  const panels: Json[] = [];
  let id = 1;
  let y = 0;
  for (const row of rows) {
    panels.push({
      id,
      type: 'row',
      title: row.title,
      collapsed: false,
      gridPos: { x: 0, y, w: gridWidth, h: 1 },
      panels: [],
    });
    id += 1;
    y += 1;
    row.panels.forEach((panel, index) => {
      const x = (index % 2) * panelWidth;
      const rowY = y + Math.floor(index / 2) * panelHeight;
      panels.push(panelJson(panel, id, x, rowY));
      id += 1;
    });
    y += Math.ceil(row.panels.length / 2) * panelHeight;
  }
  return {
    uid,
    title,
    tags: ['headcount'],
    timezone: 'utc',
    schemaVersion: 39,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    editable: true,
    templating: {
      list: [
        { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus' },
        {
          name: 'instance',
          label: 'Instance',
          type: 'query',
          datasource,
          query: `label_values(${instanceSource}, instance)`,
          includeAll: true,
          multi: true,
          current: { text: 'All', value: '$__all' },
          refresh: 2,
        },
      ],
    },
    annotations: { list: [] },
    panels,
  };
}

interface DashboardShape {
  panels: { targets?: { expr: string }[] }[];
  templating: { list: { query: string }[] };
}

/**
 * Every PromQL expression in a dashboard, for checks that scan metric names: the panels'
 * queries, and the metric inside each `label_values(metric, label)` variable query.
 */
export function dashboardExpressions(dashboard: Json): string[] {
  const shape = dashboard as unknown as DashboardShape;
  const queries = shape.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
  const variables = shape.templating.list.flatMap((variable) => {
    const match = /^label_values\((.*),\s*\w+\)$/.exec(variable.query);
    return match?.[1] === undefined ? [] : [match[1]];
  });
  return [...queries, ...variables];
}
