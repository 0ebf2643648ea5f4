/**
 * The page's stylesheet: system fonts only (the page must work offline, so no web fonts), a
 * readable column, and tables and charts that print.
 */
export const pageStyle = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6472; --line: #d9dde3; --bad: #b3261e; --good: #1e7b34; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #f6f7f9; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 20px 64px; }
header p, .muted { color: var(--muted); }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 22px; margin: 40px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 4px 20px 16px; margin-top: 20px; }
nav ol { columns: 2; }
.answers { padding-left: 20px; }
.answers li { margin: 12px 0; }
.figure { display: inline-block; font-weight: 700; background: #eef3fb; border-radius: 4px; padding: 0 6px; margin-left: 6px; }
.reproduce { color: var(--muted); font-size: 14px; }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f1f2f4; padding: 1px 4px; border-radius: 3px; }
figure.chart { margin: 20px 0; }
.canvas-box { position: relative; height: 380px; }
figcaption { font-size: 15px; margin-top: 6px; }
.missing { border-left: 4px solid #e0a100; background: #fff8e5; padding: 8px 12px; margin: 16px 0; }
table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 12px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: right; }
th:first-child, td:first-child, th.text, td.text { text-align: left; }
.ok { color: var(--good); font-weight: 600; }
.bad { color: var(--bad); font-weight: 600; }
`;
