/**
 * The page keeps its own word: every number of the decision table reads the same wherever else
 * the page states that quantity (numbers are tagged with the quantity they are, see
 * reports/quantities.ts), the page holds no absolute path of the machine that built it, every
 * number is labelled SIM or REAL, and expectation statuses are honest (a skip is not a pass, a
 * failed warning is a failure). Built from the fixtures (test/reports/fixtures/), which include
 * absolute paths in the places the runner writes them.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { buildReport } from '../../reports/build-report.ts';
import { expectationStatus, relativePaths } from '../../reports/render-html.ts';
import { questions } from '../../reports/questions.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const { html } = buildReport(
  [join(fixtures, 'results-sim'), join(fixtures, 'results-real')],
  '/* chart.js */',
);

function quantitySpans(fragment: string): { key: string; text: string }[] {
  return [...fragment.matchAll(/<span class="q" data-quantity="([^"]+)">([^<]*)<\/span>/g)].map((m) => ({
    key: m[1]!,
    text: m[2]!,
  }));
}

const decisionTable = /<table id="decision-table"[\s\S]*?<\/table>/.exec(html)![0];
const rest = html.replace(decisionTable, '');

describe('reports: the decision table', () => {
  test('has one row per product question, each with a recommendation, a number, a spread and a source', () => {
    const rows = [...decisionTable.matchAll(/<tr data-question="([^"]+)">([\s\S]*?)<\/tr>/g)];
    expect(rows.map((r) => r[1]).sort()).toEqual(Object.keys(questions).sort());
    for (const [, id, row] of rows) {
      for (const col of ['recommendation', 'figure', 'share', 'spread', 'source', 'changes']) {
        const cell = new RegExp(`data-col="${col}">([\\s\\S]*?)</td>`).exec(row!);
        expect(cell?.[1]?.trim(), `${id} ${col}`).toBeTruthy();
      }
      expect(row, id).toMatch(/SIM|REAL/);
      expect(row, id).not.toContain('Not answered');
    }
  });

  test('every number in it equals the same quantity wherever else the page states it', () => {
    const inTable = quantitySpans(decisionTable);
    const elsewhere = quantitySpans(rest);
    expect(inTable.length).toBeGreaterThanOrEqual(10);
    let compared = 0;
    for (const { key, text } of inTable) {
      for (const other of elsewhere.filter((o) => o.key === key)) {
        expect(other.text, key).toBe(text);
        compared += 1;
      }
    }
    // The check bites: most decision figures are repeated in the answers, tables or recommendations.
    expect(compared).toBeGreaterThanOrEqual(inTable.length);
  });

  test('comes before every question section', () => {
    expect(html.indexOf('id="decision-table"')).toBeLessThan(html.indexOf('id="q-'));
  });
});

describe('reports: the page travels', () => {
  test('holds no absolute path outside the inlined scripts', () => {
    const visible = html.replace(/<script[\s\S]*?<\/script>/g, '');
    expect(visible).not.toMatch(/\/home\/|\/work\/|\/tmp\/|\/Users\//);
    expect(visible).toContain('scenarios/cross-check/ttl-2s.yaml');
    expect(visible).toContain('counterexamples/slo__mode=c__seed-0--expect-0.yaml');
  });

  test('relativePaths keeps a checkout-relative scenario path and a folder-relative counterexample', () => {
    expect(relativePaths('run /a/b/headcount/scenarios/x.yaml now')).toBe('run scenarios/x.yaml now');
    expect(relativePaths('replay: /tmp/o/run-1/counterexamples/y.yaml')).toBe(
      'replay: counterexamples/y.yaml',
    );
    expect(relativePaths('ratio 3/100 and 1/5')).toBe('ratio 3/100 and 1/5');
  });

  test('labels every scenario’s runs SIM or REAL in the assumptions and states the machine, Node and commit', () => {
    const panel = /<section id="assumptions">[\s\S]*?<\/section>/.exec(html)![0];
    expect(panel).toContain('Node v20.20.2');
    expect(panel).toContain('commit <code>abc1234</code>');
    const rows = [...panel.matchAll(/<tr><td class="text">([^<]+)<\/td><td class="text">(SIM|REAL)<\/td>/g)];
    expect(rows.length).toBeGreaterThanOrEqual(10);
  });
});

describe('reports: expectation statuses are honest', () => {
  test('a skip is skipped, a failed warning is failed (warning), a failure is failed', () => {
    expect(expectationStatus({ ok: true, detail: 'skipped: runs on engine real only' })).toBe('skipped');
    expect(expectationStatus({ ok: true, detail: 'held on 3 runs' })).toBe('passed');
    expect(expectationStatus({ ok: false, detail: 'warning: failed on 1/2 runs' })).toBe('failed (warning)');
    expect(expectationStatus({ ok: false, detail: 'failed on 2/5 runs' })).toBe('failed');
  });

  test('the page shows the fixtures’ skip as skipped and their failed warning as failed, never as passed', () => {
    expect(html).toContain('data-status="skipped">skipped</span> <code>engine sim</code>');
    expect(html).toContain(
      'data-status="failed (warning)">failed (warning)</span> <code>all runs: who.availability &gt;= 0.9995</code>',
    );
  });
});
