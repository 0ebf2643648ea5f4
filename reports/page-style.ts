/**
 * The page's stylesheet: system fonts only (the page must work offline, so no web fonts), a
 * readable column that fits a 390 px phone without sideways scrolling (wide tables scroll inside
 * their own box; the decision table turns into one card per question), and print rules that keep
 * each figure, with its caption, on one page.
 */
export const pageStyle = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6472; --line: #d9dde3; --bad: #b3261e; --good: #1e7b34; --warn: #8a5a00; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #f6f7f9; overflow-wrap: anywhere; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 20px 64px; }
header p, .muted { color: var(--muted); }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 22px; margin: 40px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 17px; margin: 16px 0 4px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 4px 20px 16px; margin-top: 20px; }
nav ol { columns: 2; margin: 16px 0; }
nav li { break-inside: avoid; }
.figure { display: inline-block; font-weight: 700; background: #eef3fb; border-radius: 4px; padding: 0 6px; margin-right: 6px; }
.reproduce { color: var(--muted); font-size: 14px; }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f1f2f4; padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; word-break: break-word; }
figure.chart { margin: 20px 0; }
.canvas-box { position: relative; height: 400px; width: 100%; }
figcaption { font-size: 15px; margin-top: 6px; }
.missing { border-left: 4px solid #e0a100; background: #fff8e5; padding: 8px 12px; margin: 16px 0; }
.table-wrap { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 12px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: right; vertical-align: top; }
th:first-child, td:first-child, th.text, td.text { text-align: left; }
caption { text-align: left; }
#decision-table td { font-size: 14px; overflow-wrap: normal; }
#decision-table td[data-col="question"] { min-width: 150px; }
#decision-table td[data-col="recommendation"] { font-weight: 600; }
.source { font-weight: 600; }
.q { white-space: nowrap; }
.ok { color: var(--good); font-weight: 600; }
.bad { color: var(--bad); font-weight: 600; }
.warn { color: var(--warn); font-weight: 600; }
.skip { color: var(--muted); font-weight: 600; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px; }
dt { font-weight: 600; }
dd { margin: 0; }
details.chart-data summary { cursor: pointer; color: var(--muted); font-size: 14px; }
@media (max-width: 760px) {
  main { padding: 12px 8px 40px; }
  section { padding: 4px 10px 12px; }
  h1 { font-size: 22px; }
  h2 { font-size: 19px; }
  nav ol { columns: 1; padding-left: 20px; }
  .canvas-box { height: 320px; }
  dl { grid-template-columns: 1fr; }
  .q { white-space: normal; }
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; }
  table.cards thead { display: none; }
  table.cards tr { border: 1px solid var(--line); border-radius: 6px; margin: 10px 0; padding: 4px 8px; }
  table.cards td { border: none; text-align: left; padding: 2px 0; }
  table.cards td::before { content: attr(data-label); display: block; font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: 0.03em; }
}
@media print {
  body { background: #fff; font-size: 12pt; }
  main { max-width: none; padding: 0; }
  nav, details.chart-data { display: none; }
  section { border: none; padding: 0; }
  figure.chart, table, tr, .answer-text, dl { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .canvas-box { height: 340px; }
  .table-wrap { overflow: visible; }
  a { color: inherit; text-decoration: none; }
}
`;
