/**
 * The report page as a string: a pure function of the merged results, the charts and the
 * Chart.js source to inline. The page is self-contained (inline script and style, no network,
 * no web fonts): each chart's configuration travels as JSON in one `<script
 * type="application/json">` and a few lines of script draw them after Chart.js loads.
 *
 *   header · summary (one answer per question) · recommendations · one section per question
 *   (answer, charts, SLO table) · simulator vs real · expectations · how to rebuild
 */
import type { Answer, QuestionId } from './answers.ts';
import { chartPluginsSource } from './chart-plugins.ts';
import { type ChartOutcome, type ChartSpec, isChart, type Reproduce } from './chart-spec.ts';
import { simRealRows } from './charts/sim-real-chart.ts';
import {
  escapeHtml,
  formatCount,
  formatPercent,
  formatSeconds,
  jsonForScript,
  trimNumber,
} from './format.ts';
import { pageStyle } from './page-style.ts';
import type { Recommendation } from './recommendations.ts';
import type { ReportData } from './report-data.ts';
import { availabilityObjective, latencyObjectiveMs, sloRows } from './slo-table.ts';

export interface PageParts {
  data: ReportData;
  answers: Answer[];
  recommendations: Recommendation[];
  charts: ChartOutcome[];
}

/** Escapes text and turns `backticked` spans into <code>. */
export function prose(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function reproduceHtml(reproduce: Reproduce | undefined): string {
  if (reproduce === undefined) return '';
  return `<span class="reproduce">Reproduce: <code>${escapeHtml(reproduce.command)}</code> (run <code>${escapeHtml(reproduce.runId)}</code>)</span>`;
}

function chartHtml(chart: ChartOutcome): string {
  if (!isChart(chart)) {
    return `<div class="missing" data-missing-chart><strong>${escapeHtml(chart.title)}</strong>: ${prose(chart.note)}.</div>`;
  }
  return `<figure class="chart" id="fig-${chart.id}">
<div class="canvas-box"><canvas id="chart-${chart.id}" role="img" aria-label="${escapeHtml(chart.title)}"></canvas></div>
<figcaption><strong>${escapeHtml(chart.title)}.</strong> ${prose(chart.caption)}<br>${reproduceHtml(chart.reproduce)}</figcaption>
</figure>`;
}

function summaryHtml(answers: Answer[]): string {
  const items = answers.map(
    (
      a,
    ) => `<li class="answer" data-question="${a.section}"><a href="#q-${a.section}"><strong>${escapeHtml(a.question)}</strong></a>
<span class="figure" data-figure>${escapeHtml(a.figure)}</span><br>${prose(a.text)}<br>${reproduceHtml(a.reproduce)}</li>`,
  );
  return `<section id="summary"><h2>Summary: the answers</h2><ol class="answers">${items.join('\n')}</ol></section>`;
}

function recommendationsHtml(recommendations: Recommendation[]): string {
  const items = recommendations.map(
    (r) => `<li><strong>${escapeHtml(r.title)}.</strong> ${prose(r.text)}</li>`,
  );
  return `<section id="recommendations"><h2>Recommendations</h2><ul>${items.join('\n')}</ul></section>`;
}

/** Up to ten budgets reads as a percentage; beyond that as a multiple ("173× budget"). */
function budgetText(budgetUsed: number): string {
  return budgetUsed > 10 ? `${formatCount(budgetUsed)}× budget` : formatPercent(budgetUsed, 0);
}

function sloTableHtml(data: ReportData): string {
  const rows = sloRows(data);
  if (rows.length === 0)
    return '<div class="missing">No runs with WHO requests in these results: run <code>npm run scenario</code>.</div>';
  const verdict = (ok: boolean) => (ok ? '<td class="ok">met</td>' : '<td class="bad">missed</td>');
  const body = rows.map(
    (
      r,
    ) => `<tr data-slo-row="${escapeHtml(`${r.scenario}|${r.engine}|${r.mode}`)}"><td>${escapeHtml(r.scenario)}</td><td class="text">${r.engine}</td><td class="text">${r.mode.toUpperCase()}</td>
<td>${r.runs.length}</td><td>${formatCount(r.asked)}</td><td data-availability>${formatPercent(r.availability, 3)}</td><td>${budgetText(r.budgetUsed)}</td>${verdict(r.met)}
<td>${formatPercent(r.wrongShare, 2)}</td><td>${trimNumber(r.latencyMsP99, 1)} ms</td>${verdict(r.latencyMet)}</tr>`,
  );
  return `<table id="slo-table"><caption class="muted">Availability = WHO requests answered with a number / WHO requests asked, over all runs of the row. Objective ${formatPercent(availabilityObjective, 2)}: the error budget is the ${formatPercent(1 - availabilityObjective, 2)} of requests allowed to fail; above 100% of budget the objective is missed. Latency objective: p99 ≤ ${latencyObjectiveMs} ms (worst run).</caption>
<thead><tr><th>scenario</th><th class="text">engine</th><th class="text">mode</th><th>runs</th><th>WHO asked</th><th>availability</th><th>error budget used</th><th>${formatPercent(availabilityObjective, 2)}</th><th>wrong answers</th><th>latency p99</th><th>≤ ${latencyObjectiveMs} ms</th></tr></thead>
<tbody>${body.join('\n')}</tbody></table>`;
}

function simRealTableHtml(data: ReportData): string {
  const rows = simRealRows(data);
  if (rows.length === 0) return '';
  const body = rows.map((r) => {
    const diffMs = r.realMs - r.simMs;
    const agrees = Math.abs(diffMs) <= Math.max(0.1 * r.realMs, 50);
    return `<tr><td>${escapeHtml(r.scenario)}</td><td class="text">${r.mode.toUpperCase()}</td><td class="text">${escapeHtml(r.metric)}</td><td>${formatSeconds(r.simMs)}</td><td>${formatSeconds(r.realMs)}</td><td>${trimNumber(diffMs, 0)} ms</td>${agrees ? '<td class="ok">agrees</td>' : '<td class="bad">differs</td>'}<td>${formatPercent(r.simAvailability, 2)}</td><td>${formatPercent(r.realAvailability, 2)}</td></tr>`;
  });
  return `<table id="sim-real-table"><thead><tr><th>scenario</th><th class="text">mode</th><th class="text">measure</th><th>simulator</th><th>real</th><th>real − sim</th><th>within 10% or 50 ms</th><th>availability sim</th><th>availability real</th></tr></thead><tbody>${body.join('\n')}</tbody></table>`;
}

const sectionExtras: Partial<Record<QuestionId, (data: ReportData) => string>> = { slo: sloTableHtml };

function questionSectionHtml(answer: Answer, charts: ChartOutcome[], data: ReportData): string {
  const mine = charts.filter((c) => c.section === answer.section);
  const extra = sectionExtras[answer.section]?.(data) ?? '';
  const answerHtml =
    answer.missing === undefined
      ? `<p class="answer-text"><span class="figure">${escapeHtml(answer.figure)}</span> ${prose(answer.text)}</p>`
      : `<div class="missing">${prose(answer.text)}</div>`;
  return `<section id="q-${answer.section}" data-question="${answer.section}"><h2>${escapeHtml(answer.question)}</h2>
${answerHtml}
${extra}
${mine.map(chartHtml).join('\n')}
</section>`;
}

function expectationsHtml(data: ReportData): string {
  const items = data.scenarios.map((s) => {
    const checks = s.expectations.map(
      (e) =>
        `<li>${e.ok ? '<span class="ok">passed</span>' : '<span class="bad">FAILED</span>'} <code>${escapeHtml(e.expression)}</code>: ${escapeHtml(e.detail)}</li>`,
    );
    return `<li><strong>${escapeHtml(s.name)}</strong> (${s.engine}, ${s.runIds.length} runs, <code>${escapeHtml(s.file)}</code>): ${escapeHtml(s.question)}${checks.length > 0 ? `<ul>${checks.join('')}</ul>` : ''}</li>`;
  });
  return `<section id="expectations"><h2>Scenarios and their expectations</h2><ul>${items.join('\n')}</ul></section>`;
}

function headerHtml(data: ReportData): string {
  const sources = data.sources.map(
    (s) =>
      `<code>${escapeHtml(s.label)}</code> (generated ${escapeHtml(s.generatedAt)}, root seed ${s.rootSeed}${s.quick ? ', quick' : ''}${s.shard ? `, shard ${escapeHtml(s.shard)}` : ''})`,
  );
  const engines = [...new Set(data.runs.map((r) => r.engine))].join(' and ');
  return `<header><h1>headcount: what the runs say</h1>
<p>${formatCount(data.runs.length)} runs (${engines || 'none'}) from ${sources.join(', ')}. Every number below is computed from these results; each chart names the scenario and seed that reproduce it.</p></header>`;
}

function navHtml(answers: Answer[]): string {
  const links = answers.map((a) => `<li><a href="#q-${a.section}">${escapeHtml(a.question)}</a></li>`);
  return `<nav><ol>${links.join('')}<li><a href="#sim-vs-real">Simulator against real engine</a></li><li><a href="#expectations">Scenarios and expectations</a></li></ol></nav>`;
}

const rebuildHtml = `<section id="rebuild"><h2>How this page was made</h2><p>This page is a pure function of the results folders: <code>results.json</code> plus one <code>runs/*.json</code> per run, in the format of <code>experiment/result.ts</code>. Rebuild it with <code>headcount report RESULTS_DIR... --out DIR</code>; several folders (shards, or a simulator and a real-engine job) merge into one page. Each chart is also saved as a PNG beside this page.</p></section>`;

function bootScript(): string {
  return `(() => {
  const plugins = ${chartPluginsSource};
  const specs = JSON.parse(document.getElementById('chart-specs').textContent);
  for (const spec of specs) {
    const config = spec.config;
    config.options = { ...config.options, responsive: true, maintainAspectRatio: false, animation: false };
    config.plugins = spec.plugins.map((name) => plugins[name]);
    new Chart(document.getElementById(\`chart-\${spec.id}\`), config);
  }
})();`;
}

/** The marker the snapshot test cuts Chart.js's source out by. */
export const chartJsScriptId = 'chartjs-source';

export function renderPage(parts: PageParts, chartJsSource: string): string {
  const { data, answers, recommendations, charts } = parts;
  const drawn = charts.filter(isChart);
  const simReal = charts.filter((c) => c.section === 'sim-vs-real');
  const specs = drawn.map((c: ChartSpec) => ({ id: c.id, plugins: c.plugins, config: c.config }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>headcount report</title><style>${pageStyle}</style></head>
<body><main>
${headerHtml(data)}
${navHtml(answers)}
${summaryHtml(answers)}
${recommendationsHtml(recommendations)}
${answers.map((a) => questionSectionHtml(a, charts, data)).join('\n')}
<section id="sim-vs-real"><h2>Simulator against real engine</h2>
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
