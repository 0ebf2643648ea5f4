/**
 * A real scrape: a real Prometheus (its own temp config and storage, scrape and rule evaluation
 * every second) scrapes a running `headcount serve`, loads the generated SLO rules, and answers
 * queries for the server's metrics and for a recording rule. Before that, the `/metrics` text of
 * the real server and of an in-process discovery registry is checked against `metric-names.ts`,
 * both ways: everything we declare is exported, and everything exported is declared.
 *
 * Bounded: every wait has a deadline, and the whole file stays under 20 s on a quiet machine.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { stringify } from 'yaml';
import { discoveryMetricsRegistry } from '../../impl/adapters/metrics.ts';
import { headcountDashboard } from '../../impl/observability/dashboard.ts';
import { dashboardExpressions } from '../../impl/observability/grafana-model.ts';
import {
  discoveryServiceMetrics,
  processMetricNames,
  seriesNames,
  serverMetrics,
} from '../../impl/observability/metric-names.ts';
import { metricNamesIn } from '../../impl/observability/promql-names.ts';
import { parseSloOptions } from '../../impl/observability/slo-options.ts';
import { renderRulesYaml, ruleExpressions, sloRules } from '../../impl/observability/slo-rules.ts';

const prometheusPath = '/usr/bin/prometheus';
/** Startup of a tsx-loaded server on a busy 2-core machine; usually 2–4 s. */
const serverStartMs = 12_000;
/** Prometheus starts in about a second; the first scrape lands one interval later. */
const prometheusWaitMs = 12_000;

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves with the first stdout JSON line whose `msg` is `listening`. */
function waitForListening(child: ChildProcess, timeoutMs: number): Promise<{ port: number }> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let stderr = '';
    const timer = setTimeout(
      () => reject(new Error(`no "listening" line within ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        let parsed: { msg?: string; port?: number } = {};
        try {
          parsed = JSON.parse(line) as typeof parsed;
        } catch {
          continue; // Not a log line; only JSON lines are the server's logs.
        }
        if (parsed.msg === 'listening' && parsed.port !== undefined) {
          clearTimeout(timer);
          resolve({ port: parsed.port });
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before listening: ${stderr}`)));
  });
}

/** Polls `probe` every 250 ms until it returns a value or `timeoutMs` passes. */
async function eventually<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadlineMs = performance.now() + timeoutMs;
  let lastError = '';
  while (performance.now() < deadlineMs) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms ${lastError}`);
}

/** The metric names a `/metrics` text declares with `# TYPE name type`. */
function declaredTypes(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(match[1]!, match[2]!);
  return types;
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = once(child, 'exit').then(() => undefined);
  child.kill('SIGTERM');
  return exited;
}

interface VectorSample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(prometheusUrl: string, promql: string): Promise<VectorSample[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; data: { result: VectorSample[] } };
  if (body.status !== 'success') throw new Error(`query ${promql}: ${JSON.stringify(body)}`);
  return body.data.result;
}

const options = parseSloOptions({});
if (!options.ok) throw new Error('the default SLO options are invalid');

let server: ChildProcess | undefined;
let prometheus: ChildProcess | undefined;
let client: net.Socket | undefined;
let workDir = '';
let adminPort = 0;
let tcpPort = 0;
let metricsText = '';

beforeAll(async () => {
  if (!existsSync(prometheusPath)) {
    throw new Error(`${prometheusPath} not found; install it with: apt-get install prometheus`);
  }
  workDir = mkdtempSync(join(tmpdir(), 'headcount-prometheus-'));
  adminPort = await freePort();
  server = spawn('node', ['bin/headcount.js', 'serve', '--port', '0', '--admin-port', String(adminPort)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  tcpPort = (await waitForListening(server, serverStartMs)).port;
  metricsText = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
}, serverStartMs + 5_000);

afterAll(async () => {
  client?.destroy();
  await Promise.all([stop(prometheus), stop(server)]);
  if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
});

describe('prometheus scrape: /metrics against metric-names.ts', () => {
  test('a running server declares every server metric with its declared type', () => {
    const types = declaredTypes(metricsText);
    for (const spec of serverMetrics) expect(types.get(spec.name), spec.name).toBe(spec.type);
  });

  test('the discovery registry declares every discovery metric with its declared type', async () => {
    const metrics = discoveryMetricsRegistry();
    try {
      const types = declaredTypes(await metrics.text());
      for (const spec of discoveryServiceMetrics) expect(types.get(spec.name), spec.name).toBe(spec.type);
    } finally {
      metrics.close();
    }
  });

  test('every headcount_ metric the server exports is declared in metric-names.ts', () => {
    const declared = new Set([...serverMetrics, ...discoveryServiceMetrics].map((spec) => spec.name));
    const exported = [...declaredTypes(metricsText).keys()].filter((name) => name.startsWith('headcount_'));
    expect(exported.filter((name) => !declared.has(name))).toEqual([]);
  });

  test('every process metric the rules and dashboard may read is in the real output', () => {
    const types = declaredTypes(metricsText);
    for (const name of processMetricNames) expect(types.has(name), name).toBe(true);
  });

  test('every server-side series the rules and dashboard read exists in the real output', () => {
    const exportedSeries = new Set(
      [...declaredTypes(metricsText)].flatMap(([name, type]) =>
        type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name],
      ),
    );
    const serverSide = new Set([...serverMetrics.flatMap(seriesNames), ...processMetricNames]);
    const read = [...ruleExpressions(sloRules(options.value)), ...dashboardExpressions(headcountDashboard())]
      .flatMap(metricNamesIn)
      .filter((name) => serverSide.has(name));
    expect(read.length).toBeGreaterThan(10);
    expect(read.filter((name) => !exportedSeries.has(name))).toEqual([]);
  });
});

describe('prometheus scrape: a real Prometheus', () => {
  test('scrapes headcount_connections from the server and evaluates the SLO recording rules', async () => {
    client = net.connect(tcpPort, '127.0.0.1');
    await once(client, 'connect');
    client.write('WHO\n');
    const prometheusPort = await freePort();
    writeFileSync(join(workDir, 'rules.yaml'), renderRulesYaml(options.value));
    const config = {
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [join(workDir, 'rules.yaml')],
      scrape_configs: [{ job_name: 'headcount', static_configs: [{ targets: [`127.0.0.1:${adminPort}`] }] }],
    };
    writeFileSync(join(workDir, 'prometheus.yml'), stringify(config));
    prometheus = spawn(
      prometheusPath,
      [
        `--config.file=${join(workDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(workDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
        '--log.level=warn',
      ],
      { stdio: 'ignore' },
    );
    const prometheusUrl = `http://127.0.0.1:${prometheusPort}`;

    const connections = await eventually('headcount_connections scraped', prometheusWaitMs, async () => {
      const result = await query(prometheusUrl, 'headcount_connections');
      return result.length > 0 && result[0]?.value[1] === '1' ? result : undefined;
    });
    expect(connections).toHaveLength(1);
    expect(connections[0]?.metric).toMatchObject({
      __name__: 'headcount_connections',
      job: 'headcount',
      instance: `127.0.0.1:${adminPort}`,
    });

    const ratio = await eventually('the availability recording rule', prometheusWaitMs, async () => {
      const result = await query(prometheusUrl, 'headcount:availability_errors:ratio_rate5m');
      return result.length > 0 ? result : undefined;
    });
    expect(ratio[0]?.metric).toEqual({ __name__: 'headcount:availability_errors:ratio_rate5m' });
  }, 25_000);
});
