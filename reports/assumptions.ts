/**
 * The assumptions panel: what each scenario simulated or ran (servers, clients, duration, time
 * scale, the faults it applied and their rate, TTL, heartbeat, lease, network model), and the
 * machine, Node version and commit each results folder came from. Stated once, here; the
 * sections refer to it. Fault rates are read from the runs' own timelines (what was applied, not
 * what the file asked for), and crashes are also given per server-day, the unit of the TTL
 * answer's production assumption, so a difference between sections is visible at a glance.
 */
import type { RunResult } from '../experiment/result.ts';
import { escapeHtml, formatCount, formatSeconds, trimNumber } from './format.ts';
import { productionCrashesPerServerDay } from './ttl-sweep-points.ts';
import { groupBy, type ReportData } from './report-data.ts';

export interface AssumptionRow {
  scenario: string;
  source: 'SIM' | 'REAL';
  runs: number;
  seeds: number;
  servers: string;
  clients: string;
  durationText: string;
  timeScale: number;
  faultsText: string;
  crashesPerServerDay: number;
  ttlText: string;
  heartbeatText: string;
  leaseText: string;
  networkText: string;
}

function distinct(values: readonly (string | number)[]): string {
  return [...new Set(values)].join(', ');
}

function durationText(ms: number): string {
  if (ms >= 3_600_000) return `${trimNumber(ms / 3_600_000, 1)} h`;
  if (ms >= 120_000) return `${trimNumber(ms / 60_000, 1)} min`;
  return formatSeconds(ms);
}

/** Faults applied per kind over the runs, e.g. `crash 4 (2.4/server-day), restart 12`. */
function faultsOf(runs: readonly RunResult[]): { text: string; crashesPerServerDay: number } {
  const counts = new Map<string, number>();
  for (const run of runs)
    for (const event of run.events)
      if (event.kind !== 'heal') counts.set(event.kind, (counts.get(event.kind) ?? 0) + 1);
  const serverDays = runs.reduce((d, r) => d + (r.config.servers * r.durationMs) / 86_400_000, 0);
  const crashes = [...counts.entries()]
    .filter(([k]) => k.includes('crash') && !k.startsWith('discovery'))
    .reduce((n, [, c]) => n + c, 0);
  const crashesPerServerDay = serverDays === 0 ? 0 : crashes / serverDays;
  const text =
    counts.size === 0
      ? 'none'
      : [...counts.entries()].map(([kind, n]) => `${kind} ×${n}`).join(', ') +
        (crashes > 0 ? ` (${trimNumber(crashesPerServerDay, 1)} crashes per server-day)` : '');
  return { text, crashesPerServerDay };
}

export function assumptionRows(data: ReportData): AssumptionRow[] {
  const groups = groupBy(data.runs, (r) => `${r.engine}|${r.scenario}`);
  return [...groups.values()].map((runs) => {
    const first = runs[0]!;
    const faults = faultsOf(runs);
    const c = first.config;
    return {
      scenario: first.scenario,
      source: first.engine === 'real' ? 'REAL' : 'SIM',
      runs: runs.length,
      seeds: new Set(runs.map((r) => r.seed)).size,
      servers: distinct(runs.map((r) => r.config.servers)),
      clients: `${distinct(runs.map((r) => formatCount(Number(r.config['initialClients'] ?? 0))))} at start, ${distinct(runs.map((r) => trimNumber(Number(r.config['arrivalRatePerSec'] ?? 0), 2)))}/s arriving`,
      durationText: distinct(runs.map((r) => durationText(r.durationMs))),
      timeScale: c.timeScale,
      faultsText: faults.text,
      crashesPerServerDay: faults.crashesPerServerDay,
      ttlText: distinct(runs.map((r) => formatSeconds(r.config.ttlMs))),
      heartbeatText: distinct(runs.map((r) => formatSeconds(r.config.heartbeatMs))),
      leaseText:
        c.mode === 'c' || runs.some((r) => r.config.mode === 'c')
          ? distinct(runs.map((r) => formatSeconds(r.config.leaseMs)))
          : '–',
      networkText:
        c['redisLatencyMs'] === undefined
          ? 'not recorded'
          : `Redis ${String(c['redisLatencyMs'])} ms, clients ${String(c['clientLatencyMs'])} ms, loss ${String(c['redisLossProbability'] ?? '0')}`,
    };
  });
}

function environmentHtml(data: ReportData): string {
  const items = data.sources.map((s) => {
    const env = s.environment;
    const text =
      env === undefined
        ? 'machine not recorded (results written before the runner recorded it)'
        : `${escapeHtml(env.cpus)}, ${formatCount(env.memoryBytes / 2 ** 30)} GiB, ${escapeHtml(env.platform)}, Node ${escapeHtml(env.nodeVersion)}, commit <code>${escapeHtml(env.commit)}</code>, load average ${trimNumber(env.loadAverage1m, 2)} at the start`;
    return `<li><code>${escapeHtml(s.label)}</code>: ${text}</li>`;
  });
  return `<ul class="environment">${items.join('')}</ul>`;
}

export function assumptionsHtml(data: ReportData): string {
  const rows = assumptionRows(data);
  const body = rows.map(
    (r) =>
      `<tr><td class="text">${escapeHtml(r.scenario)}</td><td class="text">${r.source}</td><td>${r.runs} (${r.seeds} seeds)</td><td>${escapeHtml(r.servers)}</td><td class="text">${escapeHtml(r.clients)}</td><td>${escapeHtml(r.durationText)}</td><td>${trimNumber(r.timeScale, 3)}</td><td class="text">${escapeHtml(r.faultsText)}</td><td>${escapeHtml(r.ttlText)}</td><td>${escapeHtml(r.heartbeatText)}</td><td>${escapeHtml(r.leaseText)}</td><td class="text">${escapeHtml(r.networkText)}</td></tr>`,
  );
  return `<section id="assumptions"><h2>Assumptions</h2>
<p>Production crash rate assumed by the TTL answer: <strong>${productionCrashesPerServerDay} crash per server-day</strong>; the slo scenario applies the same rate, and the ttl-sweep and cross-check scenarios crash at a stress rate (shown below) to measure the cost of one crash, which the TTL answer then scales. Durations are in production units; a REAL run at time scale 0.1 ran ten times faster.</p>
<h3>Where the results came from</h3>${environmentHtml(data)}
<details class="assumptions-table" open><summary>Per scenario (${rows.length})</summary><div class="table-wrap"><table id="assumptions-table"><thead><tr><th class="text">scenario</th><th class="text">source</th><th>runs</th><th>servers</th><th class="text">clients</th><th>duration</th><th>time scale</th><th class="text">faults applied</th><th>TTL</th><th>heartbeat</th><th>lease</th><th class="text">network model</th></tr></thead><tbody>${body.join('\n')}</tbody></table></div></details></section>`;
}
