/**
 * The report page as a string: a pure function of the merged results, the charts and the
 * Chart.js source to inline. The page is self-contained (inline script and style, no network,
 * no web fonts): each chart's configuration travels as JSON in one `<script
 * type="application/json">` and a few lines of script draw them after Chart.js loads.
 *
 *   header · decision table (one row per question) · assumptions · definitions · recommendations
 *   · one section per question (answer, charts with their data, SLO table) · simulator vs real
 *   · expectations · how to rebuild
 *
 * Numbers tagged with a quantity (quantities.ts `tag`) become `<span data-quantity>`, so a test
 * can check that a quantity reads the same wherever it appears. No absolute path reaches the
 * page: scenario files and counterexamples are shown relative to the checkout or results folder.
 */
import type { Answer } from './answers.ts';
import { assumptionsHtml } from './assumptions.ts';
import { chartPluginsSource, legendFilterSource } from './chart-plugins.ts';
import { type ChartOutcome, type ChartSpec, isChart, type Reproduce } from './chart-spec.ts';
import { crossCheckRows } from './cross-check.ts';
import { headlineMetrics, relativeTolerance } from '../experiment/agreement.ts';
import { simRealRows } from './charts/sim-real-chart.ts';
import type { DecisionRow } from './decisions.ts';
import {
  escapeHtml,
  formatCount,
  formatPercent,
  formatSeconds,
  jsonForScript,
  trimNumber,
} from './format.ts';
import { pageStyle } from './page-style.ts';
import { availability, definitions, formatBudget, tagsToHtml } from './quantities.ts';
import type { QuestionId } from './questions.ts';
import type { Recommendation } from './recommendations.ts';
import type { ReportData } from './report-data.ts';
import { availabilityObjective, latencyObjectiveMs, sloRows } from './slo-table.ts';

export interface PageParts {
  data: ReportData;
  decisions: DecisionRow[];
  answers: Answer[];
  recommendations: Recommendation[];
  charts: ChartOutcome[];
}

/**
 * An absolute path shown as the reader can use it anywhere: `.../scenarios/x.yaml` as
 * `scenarios/x.yaml`, `.../<folder>/counterexamples/y.yaml` as `<folder>/counterexamples/y.yaml`,
 * anything else by its last two segments.
 */
export function relativePaths(text: string): string {
  return text.replace(
    /(^|[\s(:='"`])(\/(?:[^\s/'"`<>()]+\/)+[^\s/'"`<>()]*)/g,
    (_all, lead: string, path: string) => {
      const parts = path.split('/').filter((p) => p !== '');
      const at = parts.lastIndexOf('scenarios');
      if (at >= 0 && at < parts.length - 1) return lead + parts.slice(at).join('/');
      return lead + parts.slice(-2).join('/');
    },
  );
}

/** Escapes text, makes paths relative, turns `backticked` spans into <code> and tags into spans. */
export function prose(text: string): string {
  return tagsToHtml(escapeHtml(relativePaths(text)).replace(/`([^`]+)`/g, '<code>$1</code>'));
}

function reproduceHtml(reproduce: Reproduce | undefined): string {
  if (reproduce === undefined) return '';
  return `<span class="reproduce">Reproduce: <code>${escapeHtml(reproduce.command)}</code> (run <code>${escapeHtml(reproduce.runId)}</code>)</span>`;
}

/** The numbers behind a chart as a table, so they can be read, copied and printed without the canvas. */
export function chartDataTableHtml(chart: ChartSpec): string {
  const config = chart.config as unknown as {
    type: string;
    data: {
      labels?: string[];
      datasets: { label: string; data: (number | { x: number; y: number | null })[] }[];
    };
    options: { scales?: Record<string, { title?: { text?: string } }> };
  };
  const xTitle = config.options.scales?.['x']?.title?.text ?? 'x';
  const yTitle = config.options.scales?.['y']?.title?.text ?? 'y';
  // A gap (null, or NaN where a bar has no run) reads as a dash, never as 0.
  const cell = (v: number | null | undefined) =>
    v === null || v === undefined || Number.isNaN(v) ? '–' : trimNumber(v, 3);
  let head: string;
  let rows: string[];
  if (config.type === 'bar') {
    head = `<tr><th class="text">${escapeHtml(xTitle)}</th>${config.data.datasets.map((d) => `<th>${escapeHtml(d.label)} (${escapeHtml(yTitle)})</th>`).join('')}</tr>`;
    rows = (config.data.labels ?? []).map(
      (label, i) =>
        `<tr><td class="text">${escapeHtml(label)}</td>${config.data.datasets.map((d) => `<td>${cell(d.data[i] as number)}</td>`).join('')}</tr>`,
    );
  } else {
    head = `<tr><th class="text">series</th><th>${escapeHtml(xTitle)}</th><th>${escapeHtml(yTitle)}</th></tr>`;
    rows = config.data.datasets.flatMap((d) =>
      (d.data as { x: number; y: number | null }[]).map(
        (p) =>
          `<tr><td class="text">${escapeHtml(d.label)}</td><td>${cell(p.x)}</td><td>${cell(p.y)}</td></tr>`,
      ),
    );
  }
  return `<details class="chart-data"><summary>The data behind this chart (${rows.length} rows)</summary><div class="table-wrap"><table data-chart-data="${chart.id}"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table></div></details>`;
}

function chartHtml(chart: ChartOutcome): string {
  if (!isChart(chart)) {
    return `<div class="missing" data-missing-chart><strong>${escapeHtml(chart.title)}</strong>: ${prose(chart.note)}.</div>`;
  }
  return `<figure class="chart" id="fig-${chart.id}">
<div class="canvas-box"><canvas id="chart-${chart.id}" role="img" aria-label="${escapeHtml(chart.title)}"></canvas></div>
<figcaption><strong>${escapeHtml(chart.title)}.</strong> ${prose(chart.caption)}<br>${reproduceHtml(chart.reproduce)}</figcaption>
${chartDataTableHtml(chart)}
</figure>`;
}

const decisionColumns = [
  ['question', 'Question'],
  ['recommendation', 'Recommendation'],
  ['figure', 'Number'],
  ['share', 'As a share'],
  ['spread', 'Spread'],
  ['source', 'Source'],
  ['changes', 'What would change it'],
] as const;

function decisionTableHtml(rows: DecisionRow[]): string {
  const body = rows.map((row) => {
    const cells = decisionColumns.map(([key, label]) => {
      const content =
        key === 'question'
          ? `<a href="#q-${row.id}">${escapeHtml(row.question)}</a>`
          : key === 'source'
            ? `<span class="source">${prose(row.source)}</span>`
            : prose(row[key]);
      return `<td class="text" data-label="${label}" data-col="${key}">${content}</td>`;
    });
    return `<tr data-question="${row.id}">${cells.join('')}</tr>`;
  });
  return `<section id="summary"><h2>Decisions</h2>
<p class="muted">One row per product question. SIM = the deterministic simulator; REAL = real servers on real sockets. Spreads are min–max over seeds; every term is defined under “Definitions”.</p>
<table id="decision-table" class="cards"><thead><tr>${decisionColumns.map(([, label]) => `<th class="text">${label}</th>`).join('')}</tr></thead>
<tbody>${body.join('\n')}</tbody></table></section>`;
}

function definitionsHtml(): string {
  const items = definitions.map((d) => `<dt>${escapeHtml(d.term)}</dt><dd>${escapeHtml(d.text)}</dd>`);
  return `<section id="definitions"><h2>Definitions</h2><dl>${items.join('')}</dl></section>`;
}

function recommendationsHtml(recommendations: Recommendation[]): string {
  const items = recommendations.map(
    (r) => `<li><strong>${escapeHtml(r.title)}.</strong> ${prose(r.text)}</li>`,
  );
  return `<section id="recommendations"><h2>Recommendations</h2><ul>${items.join('\n')}</ul></section>`;
}

function verdictCell(verdict: string): string {
  const cls = verdict === 'met' ? 'ok' : verdict === 'missed' ? 'bad' : 'warn';
  return `<td class="${cls}">${verdict}</td>`;
}

function sloTableHtml(data: ReportData): string {
  const rows = sloRows(data);
  if (rows.length === 0)
    return '<div class="missing">No runs with WHO requests in these results: run <code>npm run scenario</code>.</div>';
  const body = rows.map((r) => {
    const key = r.scenario === 'slo' && r.engine === 'sim' ? `slo.${r.mode}` : '';
    const q = (suffix: string, text: string) =>
      key === '' ? text : `<span class="q" data-quantity="${key}.${suffix}">${text}</span>`;
    return `<tr data-slo-row="${escapeHtml(`${r.scenario}|${r.engine}|${r.mode}`)}"><td class="text">${escapeHtml(r.scenario)}</td><td class="text">${r.engine === 'real' ? 'REAL' : 'SIM'}</td><td class="text">${r.mode.toUpperCase()}</td>
<td>${r.runs.length}</td><td>${formatCount(r.asked)}</td><td data-correct>${q('correct', formatPercent(r.correct, 3))}</td><td>${formatPercent(r.spread.min, 3)}–${formatPercent(r.spread.max, 3)}</td><td>${q('budget', formatBudget(r.budgetUsed))}</td>${verdictCell(r.verdict)}
<td data-availability>${q('availability', formatPercent(r.availability, 3))}</td><td>${formatPercent(r.wrongShare, 2)}</td><td>${trimNumber(r.latencyMsP99, 1)} ms</td><td class="${r.latencyMet ? 'ok' : 'bad'}">${r.latencyMet ? 'met' : 'missed'}</td></tr>`;
  });
  return `<div class="table-wrap"><table id="slo-table"><caption class="muted">The SLI is correct answers: WHO requests answered with a correct number ÷ WHO requests asked (a wrong answer is a bad event). Objective ${formatPercent(availabilityObjective, 2)}; error budget used = (1 − SLI) ÷ (1 − objective). The verdict reads the spread over seeds: met when every seed meets the objective, missed when none does, undecided otherwise. Latency objective: p99 ≤ ${latencyObjectiveMs} ms (worst run). All rows SIM unless marked REAL.</caption>
<thead><tr><th class="text">scenario</th><th class="text">source</th><th class="text">mode</th><th>runs</th><th>WHO asked</th><th>correct (SLI)</th><th>spread over seeds</th><th>error budget used</th><th>${formatPercent(availabilityObjective, 2)}</th><th>answered</th><th>wrong answers</th><th>latency p99</th><th>≤ ${latencyObjectiveMs} ms</th></tr></thead>
<tbody>${body.join('\n')}</tbody></table></div>`;
}

/** "5 seeds", or "2–5 seeds" when the TTLs differ: the caption states what the rows hold. */
function countRange(counts: readonly number[], noun: string): string {
  const min = Math.min(...counts);
  const max = Math.max(...counts);
  return `${min === max ? min : `${min}–${max}`} ${noun}${max === 1 ? '' : 's'}`;
}

function crossCheckTableHtml(data: ReportData): string {
  const rows = crossCheckRows(data);
  if (rows.length === 0)
    return '<div class="missing">No TTL cross-check on both engines in these results: <code>npm run scenario</code> runs <code>scenarios/cross-check/ttl-*.yaml</code> on both.</div>';
  const body = rows.map(
    (r) =>
      `<tr data-cross-check="${r.ttlMs}"><td>${formatSeconds(r.ttlMs)}</td><td>${formatSeconds(r.sim.heartbeatMs)}</td><td><span class="q" data-quantity="cross.sim.${r.ttlMs}">${formatSeconds(r.sim.staleWindowMsMax)}</span></td><td>${formatSeconds(r.sim.spread.min)}–${formatSeconds(r.sim.spread.max)} (${r.sim.windowsMs.length} crashes, ${r.sim.runs.length} seeds)</td><td><span class="q" data-quantity="cross.real.${r.ttlMs}">${formatSeconds(r.real.staleWindowMsMax)}</span></td><td>${formatSeconds(r.real.spread.min)}–${formatSeconds(r.real.spread.max)} (${r.real.windowsMs.length} crashes)</td><td>${trimNumber(r.diffMs, 0)} ms</td><td>${trimNumber(r.real.timeScale, 3)}</td>${!r.judged ? `<td class="warn">not judged: machine overloaded (${formatPercent(r.real.askedShare, 0)} of planned WHO sent, ${formatPercent(availability(r.real.runs), 1)} answered)</td>` : r.agrees ? '<td class="ok">agrees</td>' : '<td class="bad">differs</td>'}</tr>`,
  );
  return `<div class="table-wrap"><table id="cross-check-table"><caption class="muted">The same files (scenarios/cross-check/ttl-*.yaml) on both engines: the longest stale window after a crash, SIM over ${countRange(
    rows.map((r) => r.sim.runs.length),
    'seed',
  )} per TTL, REAL over ${countRange(
    rows.map((r) => r.real.runs.length),
    'run',
  )} per TTL at the time scale shown (the TTL lasts 1 s of real time). Agreement: within 10% of SIM or one heartbeat (the rule of every sim-against-real comparison).</caption>
<thead><tr><th>TTL</th><th>heartbeat</th><th>SIM longest</th><th>SIM spread</th><th>REAL longest</th><th>REAL spread</th><th>REAL − SIM</th><th>time scale</th><th>agreement</th></tr></thead><tbody>${body.join('\n')}</tbody></table></div>`;
}

/** A headline metric's value in its unit, as the table shows it. */
function metricValueText(value: number, unit: string): string {
  if (unit === 'ms') return formatSeconds(value);
  if (unit === '') return formatPercent(value, 2);
  return `${trimNumber(value, 1)}${unit === 'clients' ? ' clients' : ` ${unit}`}`;
}

function simRealTableHtml(data: ReportData): string {
  const rows = simRealRows(data);
  if (rows.length === 0) return '';
  const body = rows.map(
    (r) =>
      `<tr data-sim-real="${escapeHtml(`${r.scenario}|${r.mode}|${r.metric}`)}"><td class="text">${escapeHtml(r.scenario)}</td><td class="text">${r.mode.toUpperCase()}</td><td class="text">${escapeHtml(r.metric)}</td><td>${metricValueText(r.sim, r.unit)}</td><td>${metricValueText(r.real, r.unit)}</td>${r.agreeing === r.paired ? `<td class="ok">${r.agreeing} of ${r.paired} agree</td>` : `<td class="bad">${r.agreeing} of ${r.paired} agree</td>`}</tr>`,
  );
  return `<div class="table-wrap"><table id="sim-real-table"><caption class="muted">Runs present on both engines (same run id: scenario, sweep point, mode and seed), as <code>headcount scenario --engine both</code> writes them; medians over the paired runs. A run agrees on a metric when |REAL − SIM| ≤ max(${relativeTolerance * 100}% of SIM, the metric’s floor); floors: ${headlineMetrics.map((m) => `${escapeHtml(m.name)} ${escapeHtml(m.floorText)}`).join(', ')}. The same rule as the runner’s <code>agreement.json</code>.</caption><thead><tr><th class="text">scenario</th><th class="text">mode</th><th class="text">metric</th><th>SIM median</th><th>REAL median</th><th>agreement</th></tr></thead><tbody>${body.join('\n')}</tbody></table></div>`;
}

const sectionExtras: Partial<Record<QuestionId, (data: ReportData) => string>> = { slo: sloTableHtml };

function questionSectionHtml(answer: Answer, charts: ChartOutcome[], data: ReportData): string {
  const mine = charts.filter((c) => c.section === answer.section);
  const extra = sectionExtras[answer.section]?.(data) ?? '';
  const answerHtml =
    answer.missing === undefined
      ? `<p class="answer-text"><span class="figure">${escapeHtml(answer.figure)}</span> ${prose(answer.text)}</p>${reproduceHtml(answer.reproduce)}`
      : `<div class="missing">${prose(answer.text)}</div>`;
  return `<section id="q-${answer.section}" data-question="${answer.section}"><h2>${escapeHtml(answer.question)}</h2>
${answerHtml}
${extra}
${mine.map(chartHtml).join('\n')}
</section>`;
}

/** An expectation's honest status: a skip is not a pass, and a failed warning is a failure. */
export function expectationStatus(e: {
  ok: boolean;
  detail: string;
}): 'passed' | 'skipped' | 'failed' | 'failed (warning)' {
  if (e.detail.startsWith('skipped')) return 'skipped';
  if (e.ok) return 'passed';
  return e.detail.startsWith('warning') ? 'failed (warning)' : 'failed';
}

const statusClass = { passed: 'ok', skipped: 'skip', failed: 'bad', 'failed (warning)': 'bad' } as const;

function expectationsHtml(data: ReportData): string {
  const items = data.scenarios.map((s) => {
    const checks = s.expectations.map((e) => {
      const status = expectationStatus(e);
      return `<li><span class="${statusClass[status]}" data-status="${status}">${status}</span> <code>${escapeHtml(e.expression)}</code>: ${prose(e.detail)}</li>`;
    });
    return `<li><strong>${escapeHtml(s.name)}</strong> (${s.engine === 'real' ? 'REAL' : 'SIM'}, ${s.runIds.length} runs, <code>${escapeHtml(relativePaths(` ${s.file}`).trim())}</code>): ${escapeHtml(s.question)}${checks.length > 0 ? `<ul>${checks.join('')}</ul>` : ''}</li>`;
  });
  return `<section id="expectations"><h2>Scenarios and their expectations</h2><p class="muted">passed · skipped (did not run on this engine: not a pass) · failed · failed (warning): a finding reported without failing the job.</p><ul>${items.join('\n')}</ul></section>`;
}

function headerHtml(data: ReportData): string {
  const sources = data.sources.map(
    (s) =>
      `<code>${escapeHtml(s.label)}</code> (generated ${escapeHtml(s.generatedAt)}, root seed ${s.rootSeed}${s.quick ? ', quick' : ''}${s.shard ? `, shard ${escapeHtml(s.shard)}` : ''})`,
  );
  const engines = [...new Set(data.runs.map((r) => (r.engine === 'real' ? 'REAL' : 'SIM')))].join(' and ');
  return `<header><h1>headcount: what the runs say</h1>
<p>${formatCount(data.runs.length)} runs (${engines || 'none'}) from ${sources.join(', ')}. Every number below is computed from these results and labelled SIM or REAL; each chart names the scenario and seed that reproduce it and carries its data.</p></header>`;
}

function navHtml(answers: Answer[]): string {
  const links = answers.map((a) => `<li><a href="#q-${a.section}">${escapeHtml(a.question)}</a></li>`);
  return `<nav><ol><li><a href="#summary">Decisions</a></li><li><a href="#assumptions">Assumptions</a></li>${links.join('')}<li><a href="#sim-vs-real">Simulator against real engine</a></li><li><a href="#expectations">Scenarios and expectations</a></li></ol></nav>`;
}

const rebuildHtml = `<section id="rebuild"><h2>How this page was made</h2><p>This page is a pure function of the results folders: <code>results.json</code> plus one <code>runs/*.json</code> per run, in the format of <code>experiment/result.ts</code>. Rebuild it with <code>headcount report RESULTS_DIR... --out DIR</code>; several folders (shards, or a simulator and a real-engine job) merge into one page. Each chart is also saved as a PNG beside this page.</p></section>`;

function bootScript(): string {
  return `(() => {
  const plugins = ${chartPluginsSource};
  const legendFilter = ${legendFilterSource};
  const specs = JSON.parse(document.getElementById('chart-specs').textContent);
  const unitOf = (config, axis) => {
    const text = config.options.scales?.[axis]?.title?.text ?? '';
    const match = /\\(([^,)]+)/.exec(text);
    return match ? ' ' + match[1].trim() : '';
  };
  const number = (v) => (typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v));
  for (const spec of specs) {
    const config = spec.config;
    const pluginOptions = config.options.plugins || {};
    const tooltip = {
      callbacks: {
        label(context) {
          const axis = context.dataset.yAxisID || 'y';
          const y = number(context.parsed.y) + unitOf(config, axis);
          if (config.type === 'bar') return context.dataset.label + ': ' + y;
          return context.dataset.label + ': ' + number(context.parsed.x) + unitOf(config, 'x') + ', ' + y;
        },
      },
    };
    const legend = { ...(pluginOptions.legend || {}), labels: { filter: legendFilter } };
    config.options = { ...config.options, responsive: true, maintainAspectRatio: false, animation: false, plugins: { ...pluginOptions, tooltip, legend } };
    config.plugins = spec.plugins.map((name) => plugins[name]);
    new Chart(document.getElementById(\`chart-\${spec.id}\`), config);
  }
})();`;
}

/** The marker the snapshot test cuts Chart.js's source out by. */
export const chartJsScriptId = 'chartjs-source';

export function renderPage(parts: PageParts, chartJsSource: string): string {
  const { data, decisions, answers, recommendations, charts } = parts;
  const drawn = charts.filter(isChart);
  const simReal = charts.filter((c) => c.section === 'sim-vs-real');
  const specs = drawn.map((c: ChartSpec) => ({ id: c.id, plugins: c.plugins, config: c.config }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>headcount report</title><style>${pageStyle}</style></head>
<body><main>
${headerHtml(data)}
${decisionTableHtml(decisions)}
${navHtml(answers)}
${assumptionsHtml(data)}
${definitionsHtml()}
${recommendationsHtml(recommendations)}
${answers.map((a) => questionSectionHtml(a, charts, data)).join('\n')}
<section id="sim-vs-real"><h2>Simulator against real engine</h2>
<p>The simulator runs the shipped core on a virtual clock; it earns trust where it agrees with real servers on real sockets. The crash stale window per TTL, the number the TTL answer rests on, is measured on both engines by every <code>npm run scenario</code>.</p>
${crossCheckTableHtml(data)}
${simRealTableHtml(data)}
${simReal.map(chartHtml).join('\n')}
</section>
${expectationsHtml(data)}
${rebuildHtml}
</main>
<script id="${chartJsScriptId}">${chartJsSource.replace(/<\/script/gi, '<\\/script')}</script>
<script type="application/json" id="chart-specs">${jsonForScript(specs)}</script>
<script>${bootScript()}</script>
</body></html>
`;
}
