/**
 * Number and text formatting for the page: durations in seconds, ratios as percentages, and
 * HTML escaping. One place, so the summary, the tables and the tests agree on how a number
 * reads (the tests compare the page's text with figures computed from the results).
 */

/** A duration in milliseconds as seconds with up to 2 decimals: 6080 -> "6.08 s". */
export function formatSeconds(durationMs: number): string {
  return `${trimNumber(durationMs / 1000, 2)} s`;
}

/**
 * A ratio as a percentage: 0.99934 -> "99.934%" with `digits` decimals. Never rounds to 100%
 * unless it is 100%, nor to 0% unless it is 0: more decimals are shown (up to 6) until the
 * difference is visible, so 0.999996 reads "99.9996%", not "100%".
 */
export function formatPercent(ratio: number, digits = 1): string {
  let shown = digits;
  const misleading = (d: number) => {
    const text = trimNumber(ratio * 100, d);
    return (ratio < 1 && Number(text) >= 100) || (ratio > 0 && Number(text) <= 0);
  };
  while (shown < 6 && misleading(shown)) shown += 1;
  return `${trimNumber(ratio * 100, shown)}%`;
}

/** Rounds to `digits` decimals and drops trailing zeros: 2.50 -> "2.5", 3.0 -> "3". */
export function trimNumber(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return String(value);
  const fixed = value.toFixed(digits);
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

/** An integer with thousands separators: 25000 -> "25,000". */
export function formatCount(value: number): string {
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => htmlEscapes[char] ?? char);
}

/** JSON safe to place inside a `<script>` element (no `</script>`, no `<!--`). */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
